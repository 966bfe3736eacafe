/**
 * The Meta Token API credential's test, as a declarative request so that n8n sends it itself:
 * through the same HTTP stack, proxy settings and `authenticate` as every node call (a test
 * function would only get n8n's deprecated `helpers.request`, or global fetch, which n8n does not
 * proxy). n8n's credentials tester gives a declarative `test` precedence over a node's `testedBy`
 * and shows only fixed texts, so the rules below carry the classification's own words.
 *
 * It inspects the credential's token with `debug_token`: with App ID and App Secret filled in, as
 * the app token (`app-id|app-secret`, spelled with meta/token.ts's APP_TOKEN_SEPARATOR: an n8n
 * expression cannot call our code, so it is rebuilt here), which can read a token
 * that already died and say why (HTTP 200, `data.is_valid: false`, `data.error.subcode`);
 * otherwise the token inspects itself, and a dead one is refused with HTTP 400.
 */
import type {
	IAuthenticateRuleResponseCode,
	IAuthenticateRuleResponseSuccessBody,
	ICredentialTestRequest,
} from 'n8n-workflow';

import { AUTH_REASON_TEXT, AUTH_SUBCODES } from '../meta/authReasons';
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
	"Meta refused the check: the access token has expired or was invalidated, or App ID and App Secret are not those of the token's app, or the app requires an App Secret Proof the credential does not send. Fill in App ID and App Secret to get the exact reason here, or run the Meta Token node's Inspect operation.";

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

export const metaTokenCredentialTest: ICredentialTestRequest = {
	request: {
		method: 'GET',
		// Relative: the credential's authenticate resolves it against its own Graph root
		// ({Base URL}/{Graph API Version}), so the URL is validated in one place.
		url: '/debug_token',
		// The token as the nodes read it (meta/token.ts stripBearer): surrounding spaces and a
		// pasted "Bearer " removed, in the expression language since n8n evaluates it.
		qs: {
			input_token: `={{ ($credentials.accessToken || "").trim().replace(/${BEARER_PREFIX.source}/${BEARER_PREFIX.flags}, "").trim() }}`,
		},
		headers: {
			Authorization: `={{ ($credentials.appId || "").trim() && ($credentials.appSecret || "").trim() ? "Bearer " + $credentials.appId.trim() + "${APP_TOKEN_SEPARATOR}" + $credentials.appSecret.trim() : "" }}`,
		},
	},
	// n8n reads responseCode rules only for error answers and responseSuccessBody rules only for 2xx.
	rules: [...deadTokenRules, ...refusedRules] as ICredentialTestRequest['rules'],
};
