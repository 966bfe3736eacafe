/**
 * The Meta Token API credential's test, as a declarative request so that n8n sends it itself:
 * through the same HTTP stack, proxy settings and `authenticate` as every node call (a test
 * function would only get n8n's deprecated `helpers.request`, or global fetch, which n8n does not
 * proxy). n8n's credentials tester gives a declarative `test` precedence over a node's `testedBy`
 * and shows only fixed texts, so the rules below carry the classification's own words.
 *
 * Facebook: it inspects the credential's token with `debug_token`: with App ID and App Secret filled in, as
 * the app token (`app-id|app-secret`, spelled with meta/token.ts's APP_TOKEN_SEPARATOR: an n8n
 * expression cannot call our code, so it is rebuilt here), which can read a token
 * that already died and say why (HTTP 200, `data.is_valid: false`, `data.error.subcode`);
 * otherwise the token inspects itself, and a dead one is refused with HTTP 400. Instagram and
 * Threads: the token reads its own user (`GET /me`); a dead one is refused (HTTP 400). One request
 * serves the three platforms (n8n takes one test per credential type): its URL, query and
 * header are expressions over the credential's Platform.
 */
import type {
	IAuthenticateRuleResponseCode,
	IAuthenticateRuleResponseSuccessBody,
	ICredentialTestRequest,
} from 'n8n-workflow';

import { AUTH_REASON_TEXT, AUTH_SUBCODES } from '../meta/authReasons';
import { PLATFORM_FACTS, type MetaPlatform } from '../meta/platform';
import { APP_TOKEN_SEPARATOR, BEARER_PREFIX } from '../meta/token';

const INSPECT_FOR_DETAILS = "Run the Meta Token node's Inspect operation for the details.";

const deadTokenRules: IAuthenticateRuleResponseSuccessBody[] = [
	...Object.entries(AUTH_SUBCODES).map(([subcode, reason]) => ({
		type: 'responseSuccessBody' as const,
		properties: {
			key: 'data.error.subcode',
			value: Number(subcode),
			message: `${AUTH_REASON_TEXT[reason].summary} ${AUTH_REASON_TEXT[reason].description}`,
		},
	})),
	{
		type: 'responseSuccessBody',
		properties: {
			key: 'data.is_valid',
			value: false,
			message: `Meta says the access token is not valid (expired or invalidated). ${INSPECT_FOR_DETAILS} Then put a working token in the credential.`,
		},
	},
];

const REFUSED =
	"Meta refused the check: the access token has expired or was invalidated, or was issued for another platform than the credential's Platform; on Facebook also when App ID and App Secret are not those of the token's app, or the app requires an App Secret Proof the credential does not send. On Facebook, fill in App ID and App Secret to get the exact reason here; on any platform, run the Meta Token node's Inspect operation.";

const refusedRules: IAuthenticateRuleResponseCode[] = [
	{ type: 'responseCode', properties: { value: 400, message: REFUSED } },
	{ type: 'responseCode', properties: { value: 401, message: REFUSED } },
	{ type: 'responseCode', properties: { value: 403, message: REFUSED } },
	{
		type: 'responseCode',
		properties: {
			value: 404,
			message: 'No Graph API answered at this Base URL and Graph API Version: check both fields of the credential.',
		},
	},
];

/**
 * The credential's platform, in the expression language: anything but instagram or threads is
 * facebook, as meta/platform.ts platformOf reads it (a credential saved before the field existed).
 */
const PLATFORM = '(["instagram", "threads"].includes($credentials.platform) ? $credentials.platform : "facebook")';

/**
 * What each platform's test asks, relative to the credential's Graph root. Instagram's host has no
 * debug_token: the token reads its own user (`user_id`, `username`), which it can only do while it
 * works; Threads' `/me` likewise (its debug_token wants an app-scoped caller of the same app).
 */
const TEST_PATHS: Readonly<Record<MetaPlatform, string>> = {
	facebook: '/debug_token',
	instagram: `/me?fields=${PLATFORM_FACTS.instagram.meFields}`,
	threads: `/me?fields=${PLATFORM_FACTS.threads.meFields}`,
};

export const metaTokenCredentialTest: ICredentialTestRequest = {
	request: {
		method: 'GET',
		// Relative: the credential's authenticate resolves it against its own Graph root
		// ({Base URL}/{Graph API Version}; Threads: v1.0), so the URL is validated in one place.
		url: `={{ ${JSON.stringify(TEST_PATHS)}[${PLATFORM}] }}`,
		// Facebook only: the token as the nodes read it (meta/token.ts stripBearer): surrounding
		// spaces and a pasted "Bearer " removed, in the expression language since n8n evaluates
		// it. Elsewhere nothing (the token goes in the header, never beside it in the URL).
		qs: {
			input_token: `={{ ${PLATFORM} === "facebook" ? ($credentials.accessToken || "").trim().replace(/${BEARER_PREFIX.source}/${BEARER_PREFIX.flags}, "").trim() : undefined }}`,
		},
		headers: {
			// Facebook only: the app token inspects the user token. No app token goes to another host.
			Authorization: `={{ ${PLATFORM} === "facebook" && ($credentials.appId || "").trim() && ($credentials.appSecret || "").trim() ? "Bearer " + $credentials.appId.trim() + "${APP_TOKEN_SEPARATOR}" + $credentials.appSecret.trim() : "" }}`,
		},
	},
	// n8n reads responseCode rules only for error answers and responseSuccessBody rules only for 2xx.
	rules: [...deadTokenRules, ...refusedRules] as ICredentialTestRequest['rules'],
};
