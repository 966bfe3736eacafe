/**
 * Where Meta's Graph API answers by default, and what a Graph API version looks like. Their own
 * file (in nodes/meta, which imports nothing) because the credential, its settings, the sender and
 * the transport all name Meta's host, and it must be the same host everywhere.
 */

export const DEFAULT_GRAPH_BASE_URL = 'https://graph.facebook.com';
/** Current Graph API version (v25.0 shipped Feb 2026); users can pin another in the credential. */
export const DEFAULT_GRAPH_API_VERSION = 'v25.0';

/** `vNN.N`, as Meta names its versions. */
export const GRAPH_API_VERSION_PATTERN = /^v\d{1,2}\.\d$/;

/** The one remote host the credential's secrets may go to. */
export const META_GRAPH_ORIGIN = new URL(DEFAULT_GRAPH_BASE_URL).origin;
