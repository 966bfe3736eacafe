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
import { DEFAULT_META_PLATFORM, META_PLATFORMS, PLATFORM_FACTS, type MetaPlatform } from '../nodes/meta/platform';
import type { MetaCredentials } from '../nodes/meta/types';
import {
	assertOwnGraphTarget,
	graphEndpoint,
	isPlatformTokenEndpoint,
	withGraphRoot,
} from '../nodes/shared/graphSettings';
import { metaTokenCredentialTest } from '../nodes/shared/credentialTest';
import { META_CREDENTIAL_TYPE } from '../nodes/shared/credentialTypes';

/**
 * The notice above n8n's "Allowed HTTP Request Domains" for one platform, naming its host. The
 * credential's platform-dependent fields use `displayOptions.hide`, never `show`: n8n's public API
 * turns every `show` condition of a credential into a required-or-forbidden rule for the data it
 * accepts (toJsonSchema), which would refuse a credential created, or a token saved, without them.
 */
function allowedDomainsNotice(platform: MetaPlatform): INodeProperties {
	const host = new URL(PLATFORM_FACTS[platform].origin).host;
	return {
		displayName: `This credential sends the token and App Secret only to the Base URL's host and signs no request for another host, whichever node sends it. n8n's own "Allowed HTTP Request Domains" below applies when an HTTP Request node uses this credential: choose Specific Domains and enter ${host} to have n8n refuse other hosts there too.`,
		// Facebook's keeps the name it always had.
		name: platform === 'facebook' ? 'allowedDomainsNotice' : `allowedDomainsNotice${PLATFORM_FACTS[platform].label}`,
		type: 'notice',
		default: '',
		displayOptions: { hide: { platform: META_PLATFORMS.filter((other) => other !== platform) } },
	};
}

/**
 * A Meta access token of one platform (Facebook, Instagram API with Instagram Login, or Threads),
 * with the app secret that unlocks exchanging and refreshing it; on Facebook also the app id
 * (inspecting dead tokens with debug_token) and `appsecret_proof` for apps with "Require App
 * Secret". The Platform decides the Graph host (meta/platform.ts, nodes/shared/graphSettings.ts).
 *
 * Its test asks the platform's Graph host about the token through n8n's own request path (see
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
			displayName: 'Platform',
			name: 'platform',
			type: 'options',
			default: DEFAULT_META_PLATFORM,
			description:
				'Which Meta token family this credential holds. It decides the Graph host the token goes to, which fields apply and what Test checks. A credential saved before this field existed is Facebook.',
			options: [
				{
					name: 'Facebook',
					value: 'facebook',
					description: 'Facebook Login user, Page or system-user token on graph.facebook.com',
				},
				{
					name: 'Instagram',
					value: 'instagram',
					description: 'Instagram User token of the Instagram API with Instagram Login, on graph.instagram.com',
				},
				{
					name: 'Threads',
					value: 'threads',
					description: 'Threads User token on graph.threads.net',
				},
			],
		},
		{
			displayName:
				'Instagram API with Instagram Login: use an Instagram User access token (it starts with IG), e.g. from App Dashboard → Instagram → API setup with Instagram login → Generate token, or from Business Login for Instagram. It lasts 60 days and can be refreshed by API once it is 24 hours old (Meta Token node → Refresh Long-Lived Token). App Secret is the Instagram app secret shown on that same page. An Instagram token used through Facebook Login (Page-linked accounts) is a Facebook token: choose Facebook for it.',
			name: 'instagramNotice',
			type: 'notice',
			default: '',
			displayOptions: { hide: { platform: ['facebook', 'threads'] } },
		},
		{
			displayName:
				'Threads API: use a Threads User access token (it starts with TH), from the Threads OAuth flow or the App Dashboard\'s Threads use case (User Token Generator). It lasts 60 days and can be refreshed by API once it is 24 hours old (Meta Token node → Refresh Long-Lived Token). App Secret is the Threads App secret (App Dashboard → App settings → Basic).',
			name: 'threadsNotice',
			type: 'notice',
			default: '',
			displayOptions: { hide: { platform: ['facebook', 'instagram'] } },
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'Facebook: a Meta user, page or system-user access token (Graph API Explorer tokens last about an hour: exchange them for a long-lived one, or use a system-user token from Business Settings). Instagram or Threads: that platform\'s User access token (see the note above).',
		},
		{
			displayName: 'App ID',
			name: 'appId',
			type: 'string',
			default: '',
			description:
				'ID of the Meta app the token belongs to (App Dashboard → Settings → Basic). Needed to exchange or refresh tokens and to inspect a token that has already died.',
			displayOptions: { hide: { platform: ['instagram', 'threads'] } },
		},
		{
			displayName: 'App Secret',
			name: 'appSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Secret of the token\'s app (Facebook: App Dashboard → Settings → Basic; Instagram: the Instagram app secret; Threads: the Threads App secret). It goes only to the platform\'s Graph host (the Base URL below), over https, in the calls that need it: as client_secret to exchange a token (and, on Facebook, to refresh and revoke system-user tokens), and on Facebook inside the app token (app-id|app-secret) that inspects tokens with debug_token and as the key of the appsecret_proof HMAC on every call (the proof is sent, the secret itself is not). Instagram and Threads calls carry no proof.',
		},
		{
			displayName: 'Graph API Version',
			name: 'graphApiVersion',
			type: 'string',
			default: DEFAULT_GRAPH_API_VERSION,
			placeholder: DEFAULT_GRAPH_API_VERSION,
			description:
				'Graph API version in the form vNN.N (Facebook and Instagram; Threads has only v1.0). Meta retires a version about two years after its successor ships.',
			displayOptions: { hide: { platform: ['threads'] } },
		},
		{
			displayName: 'App Secret Proof',
			name: 'proofMode',
			type: 'options',
			default: 'auto',
			description:
				'Whether to sign each request with appsecret_proof. Apps with "Require App Secret" on (App Settings → Advanced) refuse calls without it.',
			displayOptions: { hide: { platform: ['instagram', 'threads'] } },
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
				'The platform\'s Graph API host: https://graph.facebook.com (Facebook), https://graph.instagram.com (Instagram) or https://graph.threads.net (Threads; https://graph.threads.com also works). Left at https://graph.facebook.com or empty, an Instagram or Threads credential uses its own platform\'s host. A loopback address (http://localhost, http://127.0.0.1, http://[::1]) is taken as it is, for a local Graph API double or proxy. Nothing else is accepted, not even another platform\'s host, because the token and the app secret go wherever this points; for a network proxy use n8n\'s proxy settings.',
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
			displayOptions: { hide: { platform: ['facebook'] } },
		},
		// Last, so that it sits right above "Allowed HTTP Request Domains", which n8n appends to
		// every credential that authenticates requests and which reads as if it were this
		// credential's only guard. One per platform, each naming its own host; Facebook's last, so
		// that it stays the property right above n8n's setting (the others are hidden there).
		...(['instagram', 'threads', 'facebook'] as const).map((platform) => allowedDomainsNotice(platform)),
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
	 *   origin is not the credential's own Graph host (its Base URL's; on Meta, the platform's hosts)
	 *   throws a ForeignHostError: an Instagram credential signs nothing for graph.facebook.com and
	 *   the reverse. Either way before anything is attached: the caller's request is not touched,
	 *   so no secret can leave with it.
	 * - Otherwise the token goes in the `Authorization` header (a caller's own
	 *   `Authorization: Bearer …` is kept and signed instead) and, on Facebook only, the proof for
	 *   exactly the token sent is added to `qs`, computed per request (timestamped proofs expire
	 *   after 5 minutes); a caller's `appsecret_proof` and `appsecret_time` are dropped, and so is
	 *   its `access_token` query value — except on the Instagram and Threads token endpoints, where
	 *   Meta documents it there, and then only when it is the header's token. Everything else of
	 *   the request stays as it was.
	 */
	authenticate: IAuthenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => {
		const metaCredentials = credentials as unknown as MetaCredentials;
		const endpoint = graphEndpoint(metaCredentials);
		const request = withGraphRoot(requestOptions, endpoint);
		assertOwnGraphTarget(request, endpoint);
		return authorizeRequest({ ...metaCredentials, proofMode: endpoint.proofMode }, request, Date.now(), {
			keepQueryToken: isPlatformTokenEndpoint(request, endpoint),
		});
	};

	test: ICredentialTestRequest = metaTokenCredentialTest;
}
