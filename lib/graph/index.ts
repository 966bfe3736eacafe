/** The Graph API layer: one client that speaks HTTP to Meta, its errors, redaction and proofs. */
export * from './types';
export * from './proof';
export * from './settings';
export * from './errors';
export * from './redact';
export * from './GraphClient';
