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
import { DEFAULT_GRAPH_API_VERSION, DEFAULT_GRAPH_BASE_URL } from '../nodes/meta/endpoint';
import type { MetaCredentials } from '../nodes/meta/types';
import { assertOwnGraphTarget, graphEndpoint, withGraphRoot } from '../nodes/shared/graphSettings';
import { metaTokenCredentialTest } from '../nodes/shared/credentialTest';
import { META_CREDENTIAL_TYPE } from '../nodes/shared/credentialTypes';

/**
 * Meta (Facebook) Graph API access token, with the app id and secret that unlock exchanging,
 * refreshing and inspecting dead tokens, and `appsecret_proof` for apps with "Require App Secret".
 *
 * Its test inspects the token with `debug_token` through n8n's own request path (see
 * nodes/shared/credentialTest.ts).
 */
export class MetaTokenApi implements ICredentialType {
	name = META_CREDENTIAL_TYPE;

	displayName = 'Meta Token API';

	icon: Icon = {
		light: 'file:../nodes/icons/metaToken.svg',
		dark: 'file:../nodes/icons/metaToken.dark.svg',
	};

	documentationUrl = 'https://github.com/n8n-nodes-meta-token/n8n-nodes-meta-token#credentials';

	/**
	 * What the editor shows when an HTTP Request node is this credential's "Meta Graph API" node:
	 * its name, the docs link in its notice and the URL it starts with (copied literally: n8n
	 * cannot read the credential's version here). n8n's loader hides the nodes-panel entry it
	 * would make of this, because the Meta Token node lists the credential
	 * (PackageDirectoryLoader.inferSupportedNodes); an HTTP Request node saved with
	 * `extendsCredential: "metaTokenApi"` (as the examples are) still opens as that node, and any
	 * HTTP Request node can pick "Meta Token API" as its predefined credential type.
	 */
	httpRequestNode = {
		name: 'Meta Graph API',
		docsUrl: 'https://developers.facebook.com/docs/graph-api/',
		apiBaseUrl: `${DEFAULT_GRAPH_BASE_URL}/${DEFAULT_GRAPH_API_VERSION}/`,
	};

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
				'Secret of that app (App Dashboard → Settings → Basic). It goes only to Meta\'s Graph host (the Base URL below), over https, in the calls that need it: as client_secret to exchange, refresh and revoke system-user tokens, and inside the app token (app-id|app-secret) that inspects tokens with debug_token. It also keys the appsecret_proof HMAC on every call; the proof is sent, the secret itself is not.',
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
				'Graph API host: https://graph.facebook.com, or a loopback address (http://localhost, http://127.0.0.1, http://[::1]) for a local Graph API double or proxy. Nothing else is accepted, because the token and the app secret go wherever this points; for a network proxy use n8n\'s proxy settings.',
		},
		{
			displayName: 'Token Record',
			name: 'tokenRecord',
			// A string, not n8n's 'hidden' type: n8n's public API leaves hidden fields out of the
			// schema it checks credential data against, so Save to Credential's PATCH carrying it
			// would be refused as an unknown property. Masked like a secret (it only fingerprints
			// the token) so the editor shows no JSON and keeps the stored value on save.
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Written by the Meta Token node when Save to Credential stores a token it exchanged or refreshed: that token\'s fingerprint, issue time and expiry (Instagram\'s Graph host cannot tell them later). Leave it as it is; it is ignored once the Access Token is another token.',
		},
		// Last, so that it sits right above "Allowed HTTP Request Domains", which n8n appends to
		// every credential that authenticates requests and which reads as if it were this
		// credential's only guard.
		{
			displayName:
				'This credential sends the token and App Secret only to the Base URL\'s host and signs no request for another host, whichever node sends it. n8n\'s own "Allowed HTTP Request Domains" below applies when an HTTP Request node uses this credential: choose Specific Domains and enter graph.facebook.com to have n8n refuse other hosts there too.',
			name: 'allowedDomainsNotice',
			type: 'notice',
			default: '',
		},
	];

	/**
	 * Signs a request for this credential's own Graph host, and nothing else. Its contract, for
	 * every caller n8n has:
	 *
	 * - Request shapes: our nodes (`url` absolute); the credential test and declarative requests
	 *   (`url` relative, `baseURL` maybe absent — then the credential's Graph root
	 *   {Base URL}/{Graph API Version}); the HTTP Request node through n8n's legacy
	 *   `requestWithAuthentication` (`uri` absolute, no `url`, `qs` possibly undefined, header
	 *   names lower-cased, a user's own `authorization` header among them). The target is `url`,
	 *   else `uri`, resolved against `baseURL` (as n8n's helpers resolve it).
	 * - A bad Base URL or version throws a CredentialSettingError naming the field; a target whose
	 *   origin is not the Base URL's throws a ForeignHostError. Either way before anything is
	 *   attached: the caller's request is not touched, so no secret can leave with it.
	 * - Otherwise the token goes in the `Authorization` header — never the query string — (a
	 *   caller's own `Authorization: Bearer …` is kept and signed instead) and the proof for
	 *   exactly the token sent is added to `qs`, computed per request (timestamped proofs expire
	 *   after 5 minutes); a caller's `appsecret_proof`, `appsecret_time` and `access_token`
	 *   query values are dropped. Everything else of the request stays as it was.
	 */
	authenticate: IAuthenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => {
		const metaCredentials = credentials as unknown as MetaCredentials;
		const endpoint = graphEndpoint(metaCredentials);
		const request = withGraphRoot(requestOptions, endpoint);
		assertOwnGraphTarget(request, endpoint);
		return authorizeRequest({ ...metaCredentials, proofMode: endpoint.proofMode }, request, Date.now());
	};

	test: ICredentialTestRequest = metaTokenCredentialTest;
}
