import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

/**
 * n8n's own public API, used by the Meta Token node's "Save to Credential" option to write a
 * renewed token into a stored credential (`PATCH /api/v1/credentials/{id}`, n8n 2.x).
 */
export class MetaTokenN8nApi implements ICredentialType {
	name = 'metaTokenN8nApi';

	displayName = 'Meta Token N8n API';

	icon: Icon = {
		light: 'file:../nodes/MetaToken/metaToken.svg',
		dark: 'file:../nodes/MetaToken/metaToken.dark.svg',
	};

	documentationUrl = 'https://docs.n8n.io/api/authentication/';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'http://localhost:5678',
			required: true,
			description: 'Address of this n8n instance as n8n itself can reach it, without /api/v1',
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'An n8n API key (Settings → n8n API) with the credential:update scope',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: { 'X-N8N-API-KEY': '={{$credentials.apiKey}}' },
		},
	};

	// Reads our own credential type's schema: proves the address and the key, touches nothing.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/api/v1/credentials/schema/metaTokenApi',
		},
	};
}
