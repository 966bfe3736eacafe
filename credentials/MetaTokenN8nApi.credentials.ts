import type {
	IAuthenticate,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

import { META_CREDENTIAL_TYPE, N8N_API_CREDENTIAL_TYPE } from '../nodes/shared/credentialTypes';
import { assertN8nApiTarget, normalizeN8nApiBaseUrl } from '../nodes/shared/n8nApiSettings';

/**
 * n8n's own public API, used by the Meta Token node's "Save to Credential" option to write a
 * renewed token into a stored credential (`PATCH /api/v1/credentials/{id}`, n8n 2.x), and by
 * Check for Alerts' "Read History Through Public API" (`GET /api/v1/workflows/{id}`).
 */
export class MetaTokenN8nApi implements ICredentialType {
	name = N8N_API_CREDENTIAL_TYPE;

	// The node panel reads "Credential for n8n API". The lint rules title-case every other name
	// (n8n becomes "N8n"); "n8n API" is their one exception, and what this credential is.
	displayName = 'n8n API';

	icon: Icon = {
		light: 'file:../nodes/icons/metaToken.svg',
		dark: 'file:../nodes/icons/metaToken.dark.svg',
	};

	documentationUrl = 'https://docs.n8n.io/api/authentication/';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'http://localhost:5678',
			required: true,
			description:
				'Address of this n8n instance as n8n itself can reach it, without /api/v1. https, or plain http only for localhost / 127.0.0.1 / [::1]: the API key must not cross a network in clear.',
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'An n8n API key (Settings → n8n API). Save to Credential needs the scopes credential:read (to check the type of every target before anything is minted) and credential:update (to write the new token); Read History Through Public API needs workflow:read.',
		},
	];

	/**
	 * Adds the API key only to requests for this credential's own n8n (the origin of Base URL),
	 * and only when that Base URL is https or loopback http; anything else throws naming the
	 * field, before the key is attached.
	 */
	authenticate: IAuthenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => {
		const baseUrl = normalizeN8nApiBaseUrl(credentials.baseUrl);
		assertN8nApiTarget(requestOptions, baseUrl);
		return {
			...requestOptions,
			headers: { ...(requestOptions.headers ?? {}), 'X-N8N-API-KEY': String(credentials.apiKey ?? '') },
		};
	};

	// Reads our own credential type's schema: proves the address and the key, touches nothing.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: `/api/v1/credentials/schema/${META_CREDENTIAL_TYPE}`,
		},
	};
}
