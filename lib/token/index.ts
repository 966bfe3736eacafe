/** The token layer: the inspect record every operation outputs, and the trigger's alert policy. */
export * from './tokenModel';
export * from './alertPolicy';
