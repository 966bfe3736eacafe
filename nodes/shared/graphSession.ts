import type {
	ICredentialDataDecryptedObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import { systemErrorCode } from '../graph/classify';
import { GraphClient } from '../graph/GraphClient';
import { CredentialSettingError, graphEndpoint } from '../graph/settings';
import type { GraphTransport, MetaCredentials } from '../graph/types';

export const META_CREDENTIAL_TYPE = 'metaTokenApi';

type GraphContext = IExecuteFunctions | IPollFunctions;

/** A failure before any HTTP answer; carries only the error code, never the request it came from. */
export class TransportFailure extends Error {
	constructor(readonly code: string) {
		super(`Graph API request failed before an answer arrived (${code})`);
		this.name = 'TransportFailure';
	}
}

/** Reduces whatever the HTTP stack threw to a code: its message and config may hold the token. */
export function failureCode(error: unknown): string {
	return systemErrorCode(error) ?? 'NETWORK_ERROR';
}

/**
 * Adapts n8n's `httpRequestWithAuthentication` to the Graph client's transport: the credential's
 * `authenticate` adds the Authorization header and the proof, n8n applies its proxy and TLS
 * settings, and the client sees every HTTP status and the raw body so it can classify by
 * `error.code` rather than by status.
 */
export function n8nGraphTransport(context: GraphContext): GraphTransport {
	return async (request) => {
		const options: IHttpRequestOptions = {
			method: request.method,
			url: request.url,
			qs: request.qs,
			headers: request.headers,
			timeout: request.timeoutMs,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			encoding: 'text',
			json: false,
			// Meta never redirects API calls; a redirect would carry the Authorization header elsewhere.
			disableFollowRedirect: true,
		};
		if (request.form) options.body = new URLSearchParams(request.form);

		let answer: { statusCode: number; headers: Record<string, string>; body: unknown } | undefined;
		let failure: string | undefined;
		try {
			answer = await context.helpers.httpRequestWithAuthentication.call(
				context,
				META_CREDENTIAL_TYPE,
				options,
			);
		} catch (error) {
			failure = failureCode(error);
		}
		if (!answer) throw new TransportFailure(failure ?? 'NO_RESPONSE');
		const body = answer.body;
		return {
			statusCode: answer.statusCode,
			headers: lowerCaseHeaders(answer.headers),
			body: typeof body === 'string' || body === null || typeof body === 'object' ? (body as string | object | null) : String(body),
		};
	};
}

function lowerCaseHeaders(headers: Record<string, unknown> | undefined): Record<string, string | string[] | undefined> {
	const result: Record<string, string | string[] | undefined> = {};
	for (const [name, value] of Object.entries(headers ?? {})) {
		result[name.toLowerCase()] = Array.isArray(value) ? value.map(String) : value === undefined ? undefined : String(value);
	}
	return result;
}

export interface GraphSession {
	client: GraphClient;
	credentials: MetaCredentials;
}

/** Reads the Meta Token API credential once and builds the Graph client every operation uses. */
export async function graphSession(
	context: GraphContext,
	options: { maxAttempts?: number; maxRateLimitWaitMs?: number } = {},
): Promise<GraphSession> {
	const raw = (await context.getCredentials(META_CREDENTIAL_TYPE)) as ICredentialDataDecryptedObject;
	const credentials = raw as unknown as MetaCredentials;
	const endpoint = resolveEndpoint(context, credentials);
	const client = new GraphClient({
		transport: n8nGraphTransport(context),
		baseUrl: endpoint.baseUrl,
		version: endpoint.version,
		appId: credentials.appId?.trim() || undefined,
		appSecret: credentials.appSecret?.trim() || undefined,
		// The authenticator, not the client, adds the credential's token: tell the client so it can
		// scrub that token from anything Meta echoes back.
		secrets: [credentials.accessToken].filter((s): s is string => typeof s === 'string' && s.length > 0),
		sleep,
		maxAttempts: options.maxAttempts,
		maxRateLimitWaitMs: options.maxRateLimitWaitMs,
	});
	return { client, credentials };
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
