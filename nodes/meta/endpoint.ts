/**
 * Facebook's Graph API defaults, and what a Graph API version looks like. Their own file (in
 * nodes/meta, which imports nothing from outside it) because the credential, its settings, the
 * sender and the transport all name them. The hosts themselves live in platform.ts, one per
 * token family; the Facebook ones are re-exported here under the names the Facebook-only callers
 * have always used.
 */
import { PLATFORM_FACTS } from './platform';

/** Facebook's Graph host: the credential's Base URL default, and what it means on every platform. */
export const DEFAULT_GRAPH_BASE_URL = PLATFORM_FACTS.facebook.origin;
/** Current Graph API version (v25.0 shipped Feb 2026); users can pin another in the credential. */
export const DEFAULT_GRAPH_API_VERSION = 'v25.0';

/** `vNN.N`, as Meta names its versions. */
export const GRAPH_API_VERSION_PATTERN = /^v\d{1,2}\.\d$/;

/** The one remote host a Facebook credential's secrets may go to. */
export const META_GRAPH_ORIGIN = new URL(DEFAULT_GRAPH_BASE_URL).origin;
