import type {
	IAuthenticate,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

import { authorizeRequest } from '../nodes/graph/proof';
import { DEFAULT_GRAPH_API_VERSION, DEFAULT_GRAPH_BASE_URL, graphEndpoint, withGraphRoot } from '../nodes/graph/settings';
import type { MetaCredentials } from '../nodes/graph/types';
import { metaTokenCredentialTest } from '../nodes/shared/credentialTest';

/**
 * Meta (Facebook) Graph API access token, with the app id and secret that unlock exchanging,
 * refreshing and inspecting dead tokens, and `appsecret_proof` for apps with "Require App Secret".
 *
 * Its test inspects the token with `debug_token` through n8n's own request path (see
 * nodes/shared/credentialTest.ts).
 */
export class MetaTokenApi implements ICredentialType {
	name = 'metaTokenApi';

	displayName = 'Meta Token API';

	icon: Icon = {
		light: 'file:../nodes/MetaToken/metaToken.svg',
		dark: 'file:../nodes/MetaToken/metaToken.dark.svg',
	};

	documentationUrl = 'https://github.com/n8n-nodes-meta-token/n8n-nodes-meta-token#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'A Meta user, page or system-user access token. Graph API Explorer tokens last about an hour: exchange them for a long-lived one, or use a system-user token from Business Settings.',
		},
		{
			displayName: 'App ID',
			name: 'appId',
			type: 'string',
			default: '',
			description:
				'ID of the Meta app the token belongs to (App Dashboard → Settings → Basic). Needed to exchange or refresh tokens and to inspect a token that has already died.',
		},
		{
			displayName: 'App Secret',
			name: 'appSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Secret of that app (App Dashboard → Settings → Basic). Used for exchange, refresh and the appsecret_proof; it never leaves n8n in clear.',
		},
		{
			displayName: 'Graph API Version',
			name: 'graphApiVersion',
			type: 'string',
			default: DEFAULT_GRAPH_API_VERSION,
			placeholder: DEFAULT_GRAPH_API_VERSION,
			description:
				'Graph API version in the form vNN.N. Meta retires a version about two years after its successor ships.',
		},
		{
			displayName: 'App Secret Proof',
			name: 'proofMode',
			type: 'options',
			default: 'auto',
			description:
				'Whether to sign each request with appsecret_proof. Apps with "Require App Secret" on (App Settings → Advanced) refuse calls without it.',
			options: [
				{
					name: 'Auto',
					value: 'auto',
					description: 'Send the classic proof whenever an App Secret is set',
				},
				{
					name: 'Timestamped',
					value: 'timestamped',
					description:
						'Send the Login Security proof over token and time, with appsecret_time (valid 5 minutes, computed per request)',
				},
				{
					name: 'Off',
					value: 'off',
					description: 'Never send a proof',
				},
			],
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: DEFAULT_GRAPH_BASE_URL,
			description:
				'Graph API host. Keep the default unless you route through a proxy; plain http is accepted only for localhost.',
		},
	];

	/**
	 * Sends the token in the Authorization header — never in the query string — and adds the proof
	 * for exactly the token sent, computed per request (timestamped proofs expire after 5 minutes).
	 * A request without an absolute URL goes to the credential's Graph root. A bad Base URL or
	 * version throws here, naming the field, before anything is sent.
	 */
	authenticate: IAuthenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => {
		const metaCredentials = credentials as unknown as MetaCredentials;
		const endpoint = graphEndpoint(metaCredentials);
		return authorizeRequest(
			{ ...metaCredentials, proofMode: endpoint.proofMode },
			withGraphRoot(requestOptions, endpoint),
			Date.now(),
		);
	};

	test: ICredentialTestRequest = metaTokenCredentialTest;
}
