/**
 * What every Graph-calling node run starts with: the Meta Token API credential, read once, and
 * the Graph client built on n8n's transport, its request log going to n8n's logger at debug level.
 * Shared by the Meta Token node and the trigger.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import { GraphClient } from '../graph/GraphClient';
import { CredentialSettingError } from './credentialUrls';
import { graphEndpoint } from './graphSettings';
import type { MetaCredentials } from '../meta/types';
import { META_CREDENTIAL_TYPE } from './credentialTypes';
import type { GraphContext } from './graphTransport';
import { n8nGraphTransport } from './graphTransport';

export interface GraphSession {
	/** One per node run: its sender's pacer and "Meta unreachable" latch span the run's items. */
	client: GraphClient;
	credentials: MetaCredentials;
	/** The credential's token, app secret and app token: kept out of every message. */
	secrets: string[];
}

/** Reads the Meta Token API credential once and builds the Graph client every operation uses. */
export async function graphSession(
	context: GraphContext,
	options: { maxAttempts?: number; maxRateLimitWaitMs?: number; timeoutMs?: number } = {},
): Promise<GraphSession> {
	const raw = (await context.getCredentials(META_CREDENTIAL_TYPE)) as ICredentialDataDecryptedObject;
	const credentials = raw as unknown as MetaCredentials;
	const endpoint = resolveEndpoint(context, credentials);
	const accessToken = typeof credentials.accessToken === 'string' ? credentials.accessToken : '';
	const client = new GraphClient({
		transport: n8nGraphTransport(context, raw),
		baseUrl: endpoint.baseUrl,
		version: endpoint.version,
		appId: credentials.appId,
		appSecret: credentials.appSecret,
		platform: endpoint.platform,
		// The authenticator, not the client, adds the credential's token: tell the client so it can
		// scrub that token from anything Meta echoes back.
		secrets: accessToken ? [accessToken] : [],
		sleep,
		maxAttempts: options.maxAttempts,
		maxRateLimitWaitMs: options.maxRateLimitWaitMs,
		timeoutMs: options.timeoutMs,
		// One line per attempt (method, redacted URL, status, class, duration): what an operator
		// needs on a bad day at Meta, with N8N_LOG_LEVEL=debug. The URL never carries a secret.
		onRequest: (entry) => context.logger.debug('Meta Graph API request', { ...entry }),
	});
	return { client, credentials, secrets: client.secrets() };
}

function resolveEndpoint(context: GraphContext, credentials: MetaCredentials) {
	try {
		return graphEndpoint(credentials);
	} catch (error) {
		const field = error instanceof CredentialSettingError ? error.field : 'Base URL';
		throw new NodeOperationError(context.getNode(), (error as Error).message, {
			description: `Fix the field "${field}" in the Meta Token API credential.`,
		});
	}
}
