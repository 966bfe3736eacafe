/**
 * The fault matrix in a real n8n 2.x: every row is one item (or one branch) that meets one fault —
 * each 190 subcode of the reference, 102, 2500 (the token, and "Unknown path components"),
 * permissions, code 3, both proof errors, a wrong App Secret, "Application Secret required", an
 * OAuth subcode under another code, `is_transient: false`, Meta's words for the user, 368 and
 * 368/1390008, every rate-limit code once and persistently, waits announced in
 * x-business-use-case-usage, x-ad-account-usage and with x-fb-ads-insights-throttle, 5xx with and
 * without JSON, HTML from a proxy, a reset, a slow answer, cut-off and empty bodies, null batch
 * answers, an unknown API version, Meta unreachable, and bad input — mixed with good items. Each row ends in the right answer or a
 * classified error that says what to do; the good items are unaffected; and no secret appears in
 * the run's output, n8n's debug log or where the Graph double saw it outside the fields Meta needs.
 *
 * Table-driven and cheap: ONE workflow, one `n8n execute` (one n8n boot), faults injected per
 * token into the double (tools/graph-double/README.md), rows asserted from the one run.
 */
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';

import type { Fault, LoggedRequest } from '../tools/graph-double/model';
import { GraphDoubleProcess } from './support/graphDoubleProcess';
import type { RunResult } from './support/n8n';
import { N8nInstance, nodeItems, plainLog, runDocumentBounds } from './support/n8n';
import type { Major } from './support/paths';
import { n8nRuntime, selectedMajors } from './support/paths';
import { freePort, stopAll } from './support/processes';
import { packedTarball } from './support/tarball';
import { DAY, REPORTING_APP, metaCredential, nowSeconds, tokenFor, type TestApp } from './support/tokens';
import { emitItems, manualTrigger, metaTokenNode, workflow } from './support/workflowBuilder';

const T = nowSeconds();
const APP = REPORTING_APP;
/** A second app, so that a batch-call fault reaches only the batches of one node. */
const BATCH_APP: TestApp = { id: '1012', name: 'Batch App', secret: 'batch-app-secret-e2e-12' };
const LOCKED_APP = { id: '1013', name: 'Locked App', secret: 'locked-app-secret-e2e-13', requireAppSecret: true };

type Branch = 'inspect' | 'inspectSelf' | 'exchange' | 'pages';

/** What a row must end in. */
type Outcome =
	| { record: Record<string, unknown> }
	| { minted: true }
	| { pages: number }
	| { error: { class: string; reason?: string | null; mayHaveMinted?: boolean }; says: RegExp[] };

interface Row {
	name: string;
	branch: Branch;
	/** The item's token field: a token the double knows, or bad input. */
	input: unknown;
	/** Injected into the double for this token. */
	fault?: { fault: Fault; path?: string; times?: number };
	outcome: Outcome;
	/** Requests the double must have seen about this token (the retry policy, observed). */
	requests?: { path: string; count: number };
}

// ---------------------------------------------------------------------------------------------
// Tokens and rows

const dead: Array<[number, string, string, string]> = [
	[458, 'notAuthorized', 'Error validating access token: The user has not authorized application 1001.', 'invalid'],
	[459, 'checkpoint', 'Error validating access token: You cannot access the app till you log in to www.facebook.com and follow the instructions given.', 'invalid'],
	[460, 'passwordChanged', 'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.', 'invalid'],
	[463, 'expired', 'Error validating access token: Session has expired on Friday, 18-Aug-23 10:00:00 PDT.', 'expired'],
	[464, 'invalid', 'Error validating access token: Sessions for the user are not allowed because the user is not a confirmed user.', 'invalid'],
	[467, 'invalid', 'Error validating access token: The access token is invalid since the user logged out.', 'invalid'],
	[492, 'noPageRole', 'Error validating access token: The user must be an administrator, editor, or moderator of the page in order to impersonate it.', 'invalid'],
	[493, 'inactive', 'Error validating access token: The session was invalidated because the user has been inactive for 90 days.', 'invalid'],
];
const deadToken = (subcode: number) => tokenFor(`faults-dead-${subcode}`);
const good = (label: string) => tokenFor(`faults-good-${label}`);
const faulted = (label: string) => tokenFor(`faults-${label}`);

const RATE_LIMIT_CODES = [4, 17, 32, 341, 613, 80004];
const LIMIT_WORDS: Record<number, RegExp> = {
	4: /the app's rate limit \(x-app-usage\)/,
	17: /the user's rate limit \(code 17\)/,
	32: /the Page's rate limit \(x-page-usage\)/,
	341: /the app's rate limit \(x-app-usage\)/,
	613: /a custom rate limit on this endpoint \(code 613\)/,
	80004: new RegExp(`the business use case limit "ads_management" of business ${APP.id} \\(x-business-use-case-usage\\)`),
};

const WHAT_TO_DO = {
	rerun: /Run it again in a few minutes/,
	mayHaveMinted: /A new token may have been created anyway.*Before running it again, check whether a token was created/,
	input: /check what the expression returns|give a Meta access token|point the expression at the token field/,
	auth: /Generate a new token|generate a new token|generate a new one|Log in again|log in to the app again|complete the checkpoint|Give the user a role/,
};

const graphError = (code: number, extra: Partial<Extract<Fault, { type: 'graphError' }>> = {}): Fault => ({ type: 'graphError', code, ...extra });
/** Meta's answer text with 368/1390008, as pasted in github.com/facebookarchive/php-graph-sdk/issues/693. */
const TOO_FAST = 'It looks like you were misusing this feature by going too fast. You’ve been blocked from using it.\n\nLearn more about blocks in the Help Center.';

const rows: Row[] = [
	// --- Inspect, many tokens in Graph batches with the app token -----------------------------
	...dead.map(([subcode, , , status]): Row => ({
		name: `inspect: 190/${subcode} is a record, not an error`,
		branch: 'inspect',
		input: deadToken(subcode),
		outcome: { record: { isValid: false, status, neverExpires: false, error: { code: 190, subcode } } },
	})),
	...RATE_LIMIT_CODES.map((code): Row => ({
		name: `inspect: rate limit ${code} once is waited out`,
		branch: 'inspect',
		input: faulted(`inspect-rate-once-${code}`),
		fault: { fault: code === 80004 ? { type: 'rateLimit', code } : graphError(code), path: '/debug_token', times: 1 },
		outcome: { record: { isValid: true, status: 'valid' } },
	})),
	{
		name: 'inspect: 368/1390008 ("going too fast") once is a throttle, waited out',
		branch: 'inspect',
		input: faulted('inspect-too-fast-once'),
		fault: { fault: graphError(368, { subcode: 1390008, message: TOO_FAST, isTransient: true }), path: '/debug_token', times: 1 },
		outcome: { record: { isValid: true, status: 'valid' } },
	},
	{
		name: 'inspect: a 5xx with a JSON body, persistently, is transient and says to run it again',
		branch: 'inspect',
		input: faulted('inspect-5xx-json'),
		fault: { fault: graphError(2), path: '/debug_token', times: Infinity },
		outcome: { error: { class: 'transient' }, says: [WHAT_TO_DO.rerun] },
	},
	{
		name: 'inspect: a 5xx without a JSON body, persistently, is transient too',
		branch: 'inspect',
		input: faulted('inspect-5xx-bare'),
		fault: { fault: { type: 'status', status: 503, body: '' }, path: '/debug_token', times: Infinity },
		outcome: { error: { class: 'transient' }, says: [/HTTP 503/, WHAT_TO_DO.rerun] },
	},
	{
		name: 'inspect: an HTML page in a batch item, persistently',
		branch: 'inspect',
		input: faulted('inspect-html'),
		fault: { fault: { type: 'html' }, path: '/debug_token', times: Infinity },
		outcome: { error: { class: 'transient' }, says: [/HTTP 502/, WHAT_TO_DO.rerun] },
	},
	{ name: 'bad input: empty', branch: 'inspect', input: '', outcome: { error: { class: 'input' }, says: [/^Token is empty/] } },
	{ name: 'bad input: whitespace', branch: 'inspect', input: '  \t ', outcome: { error: { class: 'input' }, says: [/^Token is empty/] } },
	{ name: 'bad input: "Bearer " alone', branch: 'inspect', input: 'Bearer ', outcome: { error: { class: 'input' }, says: [/^Token is empty/] } },
	{ name: 'bad input: a number', branch: 'inspect', input: 1234567890, outcome: { error: { class: 'input' }, says: [/^Token is a number/, WHAT_TO_DO.input] } },
	{ name: 'bad input: null', branch: 'inspect', input: null, outcome: { error: { class: 'input' }, says: [/^Token is empty/] } },
	{ name: 'bad input: an object', branch: 'inspect', input: { token: good('in-object') }, outcome: { error: { class: 'input' }, says: [/^Token is an object/, WHAT_TO_DO.input] } },
	{ name: 'bad input: a huge string', branch: 'inspect', input: `EAA${'x'.repeat(100_000)}`, outcome: { error: { class: 'input' }, says: [/^Token is 100003 characters long/] } },
	{ name: 'bad input: two tokens glued with a comma', branch: 'inspect', input: `${good('glued-a')},${good('glued-b')}`, outcome: { error: { class: 'input' }, says: [/not one access token/] } },
	{ name: 'bad input: two tokens on two lines', branch: 'inspect', input: `${good('glued-a')}\n${good('glued-b')}`, outcome: { error: { class: 'input' }, says: [/not one access token/] } },
	{
		name: 'bad input: two tokens glued with nothing between is one unknown token, which Meta calls invalid',
		branch: 'inspect',
		input: `${good('glued-a')}${good('glued-b')}`,
		outcome: { record: { isValid: false, status: 'invalid' } },
	},
	...['a', 'b', 'c'].map((label): Row => ({ name: `inspect: good token ${label}`, branch: 'inspect', input: good(`inspect-${label}`), outcome: { record: { isValid: true, status: 'valid' } } })),

	// --- Inspect without the App Secret: each token inspects itself, single calls --------------
	...RATE_LIMIT_CODES.map((code): Row => ({
		name: `inspect (self): rate limit ${code} persistently, 30 minutes announced, fails at once naming wait and limit`,
		branch: 'inspectSelf',
		input: faulted(`self-rate-persistent-${code}`),
		fault: {
			fault: code === 80004 ? { type: 'rateLimit', businessUseCaseMinutes: 30 } : graphError(code, { headers: { 'retry-after': '1800' } }),
			path: '/debug_token',
			times: Infinity,
		},
		outcome: { error: { class: 'rateLimit' }, says: [LIMIT_WORDS[code], /Meta asked to wait 30 minutes/, /so it stopped at once/, /Run it again after 30 minutes/] },
		requests: { path: '/debug_token', count: 1 },
	})),
	...([
		[
			'32 with a business-use-case wait (estimated_time_to_regain_access)',
			graphError(32, { headers: { 'x-business-use-case-usage': JSON.stringify({ [APP.id]: [{ type: 'pages', call_count: 100, total_time: 20, total_cputime: 20, estimated_time_to_regain_access: 30 }] }) } }),
			new RegExp(`the business use case limit "pages" of business ${APP.id} \\(x-business-use-case-usage\\)`),
		],
		[
			'17 with an ad-account reset (reset_time_duration)',
			graphError(17, { headers: { 'x-ad-account-usage': '{"acc_id_util_pct":100,"reset_time_duration":1800,"ads_api_access_tier":"standard_access"}' } }),
			/the ad account's rate limit \(x-ad-account-usage\)/,
		],
		[
			'613 with an ad-account reset (reset_time_duration)',
			graphError(613, { headers: { 'x-ad-account-usage': '{"acc_id_util_pct":100,"reset_time_duration":1800}' } }),
			/the ad account's rate limit \(x-ad-account-usage\)/,
		],
		[
			'4 with a full x-fb-ads-insights-throttle and retry-after',
			graphError(4, { headers: { 'x-fb-ads-insights-throttle': '{"app_id_util_pct":100,"acc_id_util_pct":40}', 'retry-after': '1800' } }),
			/the Ads Insights load limit \(x-fb-ads-insights-throttle: app 100 %, ad account 40 %\)/,
		],
	] as Array<[string, Fault, RegExp]>).map(([what, fault, limit], i): Row => ({
		name: `inspect (self): ${what}, 30 minutes, fails at once naming wait and limit`,
		branch: 'inspectSelf',
		input: faulted(`self-announced-${i}`),
		fault: { fault, path: '/debug_token', times: Infinity },
		outcome: { error: { class: 'rateLimit' }, says: [limit, /Meta asked to wait 30 minutes/, /so it stopped at once/] },
		requests: { path: '/debug_token', count: 1 },
	})),
	{ name: 'inspect (self): a good token among them', branch: 'inspectSelf', input: good('self'), outcome: { record: { isValid: true, status: 'valid' } } },

	// --- Exchange (minting: one call per item, never retried once it may have reached Meta) ----
	...dead.map(([subcode, reason]): Row => ({
		name: `exchange: 190/${subcode} is an auth error (${reason})`,
		branch: 'exchange',
		input: deadToken(subcode),
		outcome: { error: { class: 'auth', reason, mayHaveMinted: undefined }, says: [WHAT_TO_DO.auth] },
		requests: { path: '/oauth/access_token', count: 1 },
	})),
	...([
		[102, 'auth', WHAT_TO_DO.auth],
		[2500, 'auth', WHAT_TO_DO.auth],
		[10, 'permission', /permission/],
		[200, 'permission', /Grant ads_management/],
		[294, 'permission', /permission/],
		[368, 'policy', /retrying will not help/],
	] as Array<[number, string, RegExp]>).map(([code, errorClass, says]): Row => ({
		name: `exchange: code ${code} is ${errorClass}, not retried`,
		branch: 'exchange',
		input: faulted(`exchange-code-${code}`),
		fault: {
			fault: graphError(code, code === 200 ? { message: '(#200) Requires ads_management permission to manage the object' } : {}),
			path: '/oauth/access_token',
			times: Infinity,
		},
		outcome: { error: { class: errorClass }, says: [says] },
		requests: { path: '/oauth/access_token', count: 1 },
	})),
	...([
		['2500 "Unknown path components" is a wrong path or version, not the token', graphError(2500, { message: 'Unknown path components: /oauth/access_token' }), 'badRequest', undefined, [/not the token/, /Graph API Version/]],
		['3 is a capability the app lacks', graphError(3), 'permission', undefined, [/capability/, /a new token will not help/]],
		['1 "Error validating client secret" is a wrong App Secret, not a Meta fault', graphError(1, { message: 'Error validating client secret.', isTransient: false, status: 400 }), 'appSecret', undefined, [/App Settings → Basic/]],
		['190 "Application Secret required for this endpoint" needs the app token', graphError(190, { message: '(#190) Application Secret required for this endpoint' }), 'appSecret', undefined, [/app access token/, /a new user token will not help/]],
		['10 with OAuth subcode 460: the subcode decides', graphError(10, { subcode: 460, message: dead[2][2] }), 'auth', 'passwordChanged', [WHAT_TO_DO.auth]],
	] as Array<[string, Fault, string, string | undefined, RegExp[]]>).map(([what, fault, errorClass, reason, says], i): Row => ({
		name: `exchange: ${what}, not retried`,
		branch: 'exchange',
		input: faulted(`exchange-meaning-${i}`),
		fault: { fault, path: '/oauth/access_token', times: Infinity },
		outcome: { error: { class: errorClass, ...(reason ? { reason } : {}), mayHaveMinted: undefined }, says },
		requests: { path: '/oauth/access_token', count: 1 },
	})),
	{
		name: 'exchange: 368/1390008 ("going too fast") is a throttle: retried, one token minted',
		branch: 'exchange',
		input: faulted('exchange-too-fast-once'),
		fault: { fault: graphError(368, { subcode: 1390008, message: TOO_FAST, isTransient: true }), path: '/oauth/access_token', times: 1 },
		outcome: { minted: true },
		requests: { path: '/oauth/access_token', count: 2 },
	},
	...[
		'API calls from the server require an appsecret_proof argument',
		'Invalid appsecret_proof provided in the API argument',
	].map((message, i): Row => ({
		name: `exchange: proof error "${message}"`,
		branch: 'exchange',
		input: faulted(`exchange-proof-${i}`),
		fault: { fault: graphError(100, { message }), path: '/oauth/access_token', times: Infinity },
		outcome: { error: { class: 'proofRequired' }, says: [/Require App Secret/, /App Secret Proof/] },
		requests: { path: '/oauth/access_token', count: 1 },
	})),
	...([
		['a connection reset', { type: 'reset' }, 'network'],
		['a 5xx with a JSON body', graphError(2), 'transient'],
		['a 5xx without a JSON body', { type: 'status', status: 500, body: '' }, 'transient'],
		['an HTML page from a proxy', { type: 'html' }, 'transient'],
		['cut-off JSON', { type: 'malformedJson' }, 'badResponse'],
		['an empty body', { type: 'emptyBody' }, 'badResponse'],
	] as Array<[string, Fault, string]>).map(([what, fault, errorClass]): Row => ({
		name: `exchange: ${what} may hide a minted token: sent once, and says how to check`,
		branch: 'exchange',
		input: faulted(`exchange-lost-${what}`),
		fault: { fault, path: '/oauth/access_token', times: Infinity },
		outcome: { error: { class: errorClass, mayHaveMinted: true }, says: [WHAT_TO_DO.mayHaveMinted] },
		requests: { path: '/oauth/access_token', count: 1 },
	})),
	{
		name: 'exchange: a rate limit is retried (Meta did not process it), one token minted',
		branch: 'exchange',
		input: faulted('exchange-rate-once'),
		fault: { fault: { type: 'rateLimit' }, path: '/oauth/access_token', times: 1 },
		outcome: { minted: true },
		requests: { path: '/oauth/access_token', count: 2 },
	},
	{
		name: 'exchange: a slow answer (2 s) is waited for',
		branch: 'exchange',
		input: faulted('exchange-slow'),
		fault: { fault: { type: 'delay', ms: 2000 }, path: '/oauth/access_token', times: 1 },
		outcome: { minted: true },
		requests: { path: '/oauth/access_token', count: 1 },
	},
	{ name: 'exchange: a good token', branch: 'exchange', input: good('exchange'), outcome: { minted: true }, requests: { path: '/oauth/access_token', count: 1 } },

	// --- Get Page Tokens (idempotent: retried) ------------------------------------------------
	...([
		['a connection reset', { type: 'reset' }],
		['a 5xx with a JSON body', graphError(1)],
		['an HTML page from a proxy', { type: 'html' }],
	] as Array<[string, Fault]>).map(([what, fault]): Row => ({
		name: `page tokens: ${what} once is retried`,
		branch: 'pages',
		input: faulted(`pages-${what}`),
		fault: { fault, path: '/me/accounts', times: 1 },
		outcome: { pages: 2 },
		requests: { path: '/me/accounts', count: 2 },
	})),
	{
		name: "page tokens: is_transient false is not retried, and Meta's words for the user reach the message",
		branch: 'pages',
		input: faulted('pages-not-transient'),
		fault: {
			fault: graphError(1, {
				subcode: 2853001,
				isTransient: false,
				status: 400,
				message: 'An unknown error occurred',
				userTitle: 'profile is not linked to delegate page',
				userMessage: 'profile should always be linked to delegate page',
			}),
			path: '/me/accounts',
			times: Infinity,
		},
		outcome: { error: { class: 'badRequest' }, says: [/profile is not linked to delegate page: profile should always be linked to delegate page/] },
		requests: { path: '/me/accounts', count: 1 },
	},
	{
		name: "page tokens: a token inside Meta's words for the user is scrubbed",
		branch: 'pages',
		input: faulted('pages-user-words'),
		fault: {
			fault: graphError(100, { message: 'Invalid parameter', userTitle: 'Token rejected', userMessage: `The token ${faulted('pages-user-words')} cannot list Pages` }),
			path: '/me/accounts',
			times: Infinity,
		},
		outcome: { error: { class: 'badRequest' }, says: [/Token rejected: The token \[redacted\] cannot list Pages/] },
		requests: { path: '/me/accounts', count: 1 },
	},
];

const branchRows = (branch: Branch) => rows.filter((row) => row.branch === branch);

/** Every token-shaped secret of the matrix (bad input aside): none may leak. */
function tokensOf(row: Row): string[] {
	return typeof row.input === 'string' ? (row.input.match(/EAA[A-Za-z0-9]{40}/g) ?? []) : [];
}

// ---------------------------------------------------------------------------------------------
// The double's seed and the workflow

function seed() {
	const user = (token: string, appId = APP.id, extra = {}) => ({
		token,
		type: 'USER' as const,
		appId,
		userId: String(100 + Math.abs(token.charCodeAt(5) * 31 + token.charCodeAt(9))),
		scopes: ['ads_read', 'public_profile'],
		issuedAt: T,
		// Short-lived, so exchange renews it (60 days).
		expiresAt: T + 3600,
		...extra,
	});
	const tokens = [];
	for (const row of rows) {
		if (typeof row.input !== 'string' || !/^EAA[A-Za-z0-9]{40}$/.test(row.input)) continue;
		const subcode = dead.find(([code]) => row.input === deadToken(code));
		if (subcode) {
			const [code, , message] = subcode;
			tokens.push(
				code === 463
					? user(row.input, APP.id, { issuedAt: T - 2 * DAY, expiresAt: T - DAY })
					: user(row.input, APP.id, { invalid: { code: 190, subcode: code, message } }),
			);
		} else if (row.branch === 'pages') {
			tokens.push(user(row.input, APP.id, { expiresAt: T + 50 * DAY, pages: [{ id: '900001', name: 'One' }, { id: '900002', name: 'Two' }] }));
		} else if (row.branch === 'exchange') tokens.push(user(row.input));
		else tokens.push(user(row.input, APP.id, { expiresAt: T + 50 * DAY }));
	}
	// Seeded once even when two rows share a token.
	const unique = [...new Map(tokens.map((token) => [token.token, token])).values()];
	const batchTokens = ['w', 'x', 'y', 'z'].map((label) => user(good(`batch-${label}`), BATCH_APP.id, { expiresAt: T + 50 * DAY }));
	const locked = user(good('locked'), LOCKED_APP.id, { expiresAt: T + 50 * DAY });
	return { apps: [APP, BATCH_APP, LOCKED_APP], tokens: [...unique, ...batchTokens, locked] };
}

const UNREACHABLE_ITEMS = 100;
const VERSION_ITEMS = 1000;

function matrixWorkflow(credentials: Record<string, string>) {
	const onError = { onError: 'continueRegularOutput' };
	const byInput = (name: string, parameters: Record<string, unknown>, credential: string) =>
		metaTokenNode(name, { tokenSource: 'input', token: '={{ $json.token }}', ...parameters }, credential, onError);
	const itemsOf = (branch: Branch) => branchRows(branch).map((row) => ({ token: row.input }));
	return workflow('MetaTokenFaults1', 'Meta Token: fault matrix', manualTrigger(), [
		[emitItems('Inspect items', itemsOf('inspect')), byInput('Inspect', { operation: 'inspect' }, credentials.app)],
		[emitItems('Self items', itemsOf('inspectSelf')), byInput('Inspect self', { operation: 'inspect' }, credentials.self)],
		[emitItems('Exchange items', itemsOf('exchange')), byInput('Exchange', { operation: 'exchange' }, credentials.app)],
		[emitItems('Page items', itemsOf('pages')), byInput('Page tokens', { operation: 'getPageTokens' }, credentials.app)],
		[
			emitItems('Batch items', ['w', 'x', 'y', 'z'].map((label) => ({ token: good(`batch-${label}`) }))),
			byInput('Inspect, null batch answers', { operation: 'inspect' }, credentials.batch),
		],
		[metaTokenNode('Proof required', { operation: 'getPageTokens' }, credentials.lockedNoProof, onError)],
		[metaTokenNode('Proof invalid', { operation: 'getPageTokens' }, credentials.lockedWrongSecret, onError)],
		[
			codeItems('Version items', `Array.from({ length: ${VERSION_ITEMS} }, (_, i) => ({ token: 'EAAversion' + String(i).padStart(6, '0') + 'x'.repeat(30) }))`),
			byInput('Inspect, unknown version', { operation: 'inspect' }, credentials.v99),
		],
		[
			codeItems('Unreachable items', `Array.from({ length: ${UNREACHABLE_ITEMS} }, (_, i) => ({ token: 'EAAunreach' + String(i).padStart(6, '0') + 'x'.repeat(30) }))`),
			byInput('Exchange, Meta unreachable', { operation: 'exchange' }, credentials.down),
		],
	]);
}

/** A Code node emitting the items a JS expression builds (for long generated lists). */
function codeItems(name: string, expression: string) {
	const node = emitItems(name, []);
	node.parameters = { jsCode: `return ${expression}.map((json) => ({ json }));` };
	return node;
}

// ---------------------------------------------------------------------------------------------

const EMITTERS = ['Inspect items', 'Self items', 'Exchange items', 'Page items', 'Batch items', 'Version items', 'Unreachable items'];

function withoutFields(record: Record<string, string>, names: string[]): Record<string, string> {
	return Object.fromEntries(Object.entries(record).filter(([name]) => !names.includes(name)));
}

/** Node run time as n8n measured it (ms). */
function executionTime(run: RunResult | undefined, node: string): number {
	const task = run?.data.resultData.runData[node]?.[0] as { executionTime?: number } | undefined;
	return task?.executionTime ?? NaN;
}

/** The matrix runs in n8n 2.x only (the current major); with E2E_MAJORS=1 alone there is nothing to run. */
const MAJORS: Major[] = selectedMajors().filter((major) => major === 2);
function faultMatrix(major: Major): void {
	let double: GraphDoubleProcess;
	let n8n: N8nInstance;
	let run: RunResult | undefined;
	let output = '';
	let log: LoggedRequest[] = [];
	let wallMs = 0;

	beforeAll(async () => {
		const started = Date.now();
		double = await GraphDoubleProcess.start(seed());
		const downUrl = `http://127.0.0.1:${await freePort()}`;
		for (const row of rows) {
			if (!row.fault) continue;
			await double.injectFault({ ...row.fault, token: row.input as string });
		}
		// Items 2 and 4 of the Batch App's first batch answer null (timed out inside Meta).
		await double.injectFault({ fault: { type: 'batchNull', indexes: [1, 3] }, path: '/', token: `${BATCH_APP.id}|${BATCH_APP.secret}`, times: 1 });
		n8n = await N8nInstance.create(n8nRuntime(major), packedTarball(), { env: { N8N_LOG_LEVEL: 'debug' } });
		const credentials = {
			app: 'mtFaultsApp0001',
			self: 'mtFaultsSelf001',
			batch: 'mtFaultsBatch01',
			lockedNoProof: 'mtFaultsNoProof',
			lockedWrongSecret: 'mtFaultsBadSecr',
			v99: 'mtFaultsV990001',
			down: 'mtFaultsDown001',
		};
		const v99 = metaCredential(credentials.v99, 'Unknown version', good('inspect-a'), double.url);
		(v99.data as Record<string, unknown>).graphApiVersion = 'v99.0';
		// "Require App Secret" is on for the Locked App; this credential sends no proof.
		const noProof = metaCredential(credentials.lockedNoProof, 'Locked, proof off', good('locked'), double.url, LOCKED_APP);
		(noProof.data as Record<string, unknown>).proofMode = 'off';
		await n8n.importCredentials([
			metaCredential(credentials.app, 'Faults app', good('inspect-a'), double.url),
			metaCredential(credentials.self, 'No app secret', good('self'), double.url, null),
			metaCredential(credentials.batch, 'Batch app', good('batch-w'), double.url, BATCH_APP),
			noProof,
			metaCredential(credentials.lockedWrongSecret, 'Locked, wrong secret', good('locked'), double.url, { ...LOCKED_APP, secret: 'not-the-locked-app-secret-1' }),
			v99,
			metaCredential(credentials.down, 'Meta unreachable', good('exchange'), downUrl),
		]);
		await n8n.importWorkflows([matrixWorkflow(credentials)]);
		await double.clearRequests();
		const executed = Date.now();
		const result = await n8n.execute('MetaTokenFaults1');
		wallMs = Date.now() - executed;
		output = plainLog(result.output);
		if (!result.ok) throw new Error(`fault matrix run failed:\n${result.output.slice(-6000)}`);
		run = runDocumentBounds(output)?.run;
		log = await double.requests();
		process.stdout.write(
			`n8n ${n8n.runtime.version}: fault matrix (${rows.length} rows) — setup + run ${Date.now() - started} ms, n8n execute ${wallMs} ms\n`,
		);
	});

	afterAll(async () => {
		await n8n?.dispose();
		await double?.stop();
		await stopAll();
	});

	const NODE_OF: Record<Branch, string> = { inspect: 'Inspect', inspectSelf: 'Inspect self', exchange: 'Exchange', pages: 'Page tokens' };

	/** The output item(s) of a row, by its position among its branch's items. */
	function outputOf(row: Row): Array<Record<string, unknown>> {
		const index = branchRows(row.branch).indexOf(row);
		const items = nodeItems(run, NODE_OF[row.branch]);
		const raw = run?.data.resultData.runData[NODE_OF[row.branch]]?.[0]?.data?.main[0] ?? [];
		return items.filter((_, i) => ((raw[i] as { pairedItem?: { item: number } }).pairedItem?.item ?? i) === index);
	}

	it(`has at least 40 rows (${rows.length})`, () => {
		expect(rows.length).toBeGreaterThanOrEqual(40);
	});

	it.each(rows.map((row) => [row.name, row] as const))('%s', (_name, row) => {
		const [item, ...more] = outputOf(row);
		expect(item).toBeDefined();
		const outcome = row.outcome;
		if ('record' in outcome) {
			expect(item.error === undefined || typeof item.isValid === 'boolean').toBe(true);
			expect(item).toMatchObject(outcome.record);
		} else if ('minted' in outcome) {
			expect(item.error).toBeUndefined();
			expect(item.expiresIn).toBe(60 * DAY);
			expect(String(item.accessToken)).toMatch(/^EAA/);
		} else if ('pages' in outcome) {
			expect([item, ...more]).toHaveLength(outcome.pages);
			expect(item.pageId).toBe('900001');
		} else {
			const error = item.error as { class: string; reason: string | null; message: string; mayHaveMinted?: boolean };
			expect(error).toBeDefined();
			expect(error.class).toBe(outcome.error.class);
			if ('reason' in outcome.error) expect(error.reason).toBe(outcome.error.reason);
			if ('mayHaveMinted' in outcome.error) expect(error.mayHaveMinted).toBe(outcome.error.mayHaveMinted);
			for (const words of outcome.says) expect(error.message).toMatch(words);
			expect(error.message).not.toMatch(/Unexpected failure/);
		}
		if (row.requests) {
			const about = log.filter(
				(request) =>
					request.path === row.requests!.path &&
					(request.callingToken === row.input || request.query.fb_exchange_token === row.input || request.query.input_token === row.input),
			);
			expect(about).toHaveLength(row.requests.count);
		}
	});

	it('null batch answers are asked again, and every item gets its answer', () => {
		const records = nodeItems(run, 'Inspect, null batch answers');
		expect(records.map((record) => record.status)).toEqual(['valid', 'valid', 'valid', 'valid']);
		const batches = log.filter((request) => request.path === '/' && request.callingToken === `${BATCH_APP.id}|${BATCH_APP.secret}`);
		expect(batches.map((request) => request.batchSize)).toEqual([4, 2]);
	});

	it('both proof errors, met for real, say how to fix the credential', () => {
		for (const name of ['Proof required', 'Proof invalid']) {
			const [item] = nodeItems(run, name);
			expect(item.error).toMatchObject({ class: 'proofRequired' });
			expect(String((item.error as { message: string }).message)).toMatch(/Fill in the credential's App Secret/);
		}
	});

	it(`an unknown API version with ${VERSION_ITEMS} tokens costs at most 21 Graph calls, each item saying which field to fix`, () => {
		const items = nodeItems(run, 'Inspect, unknown version');
		expect(items).toHaveLength(VERSION_ITEMS);
		expect(items.every((item) => (item.error as { class?: string })?.class === 'badRequest')).toBe(true);
		expect(String((items[999].error as { message: string }).message)).toMatch(/Graph API Version/);
		const calls = log.filter((request) => request.version === 'v99.0').length;
		process.stdout.write(`figure: unknown API version, ${VERSION_ITEMS} tokens → ${calls} Graph calls (node ${executionTime(run, 'Inspect, unknown version')} ms)\n`);
		expect(calls).toBeLessThanOrEqual(21);
	});

	it(`${UNREACHABLE_ITEMS} items with Meta unreachable fail in under 60 s, one error item each`, () => {
		const items = nodeItems(run, 'Exchange, Meta unreachable');
		expect(items).toHaveLength(UNREACHABLE_ITEMS);
		const messages = items.map((item) => (item.error as { class: string; message: string }));
		expect(messages.every((error) => error.class === 'network')).toBe(true);
		expect(messages[0].message).toMatch(/ECONNREFUSED.*tried 4 times/);
		expect(messages.slice(1).every((error) => /Not sent: an earlier call of this run/.test(error.message))).toBe(true);
		const ms = executionTime(run, 'Exchange, Meta unreachable');
		process.stdout.write(`figure: ${UNREACHABLE_ITEMS} items, Meta unreachable, continue on fail → node ${ms} ms\n`);
		expect(ms).toBeLessThan(60_000);
	});

	it('a 30-minute announced wait fails in under 5 s', () => {
		const ms = executionTime(run, 'Inspect self');
		process.stdout.write(`figure: ${branchRows('inspectSelf').length - 1} tokens with a 30-minute announced wait (+1 good) → node ${ms} ms\n`);
		expect(ms).toBeLessThan(5_000);
	});

	it('no secret anywhere: run output (fed items aside), n8n debug log, event log, and the double saw secrets only where Meta needs them', () => {
		const canaries = [
			...new Set([...rows.flatMap(tokensOf), ...['w', 'x', 'y', 'z'].map((label) => good(`batch-${label}`)), good('locked')]),
			APP.secret,
			BATCH_APP.secret,
			LOCKED_APP.secret,
			'not-the-locked-app-secret-1',
		];
		// The items the Code nodes fed in hold the tokens by design: everything else must not.
		const bounds = runDocumentBounds(output);
		expect(bounds).toBeDefined();
		const logLines = output.slice(0, bounds!.start) + output.slice(bounds!.end);
		const runData = { ...run!.data.resultData.runData };
		for (const emitter of EMITTERS) delete runData[emitter];
		const scanned = [logLines, JSON.stringify({ ...run, data: { ...run!.data, resultData: { ...run!.data.resultData, runData } } })];
		const eventLogDir = join(n8n.userFolder, '.n8n');
		for (const file of readdirSync(eventLogDir).filter((name) => name.startsWith('n8nEventLog'))) {
			scanned.push(readFileSync(join(eventLogDir, file), 'utf8'));
		}
		expect(logLines).toContain('Meta Graph API request');
		for (const text of scanned) for (const canary of canaries) expect(text.includes(canary) ? canary : null).toBeNull();

		// At the double: a token rides in the Authorization header (or as the token a call is about),
		// the app secret only as client_secret of the oauth endpoints; never an access_token in a URL.
		for (const request of log) {
			expect(request.query.access_token).toBeUndefined();
			const headers = withoutFields(request.headers, ['authorization']);
			const query = withoutFields(request.query, ['input_token', 'fb_exchange_token', 'client_secret', 'appsecret_proof']);
			if (request.query.client_secret !== undefined) expect(request.path.startsWith('/oauth/')).toBe(true);
			const rest = JSON.stringify({ headers, query, form: withoutFields(request.form, ['batch']) });
			for (const canary of canaries) expect(rest.includes(canary) ? `${request.path}: ${canary}` : null).toBeNull();
		}
	});

	it('the good items are unaffected by the faults around them', () => {
		const goodRows = rows.filter((row) => row.name.includes('good token'));
		expect(goodRows.length).toBeGreaterThanOrEqual(4);
		for (const row of goodRows) expect(outputOf(row)[0].error ?? null).toBeNull();
		process.stdout.write(`figure: fault matrix n8n execute wall ${wallMs} ms\n`);
	});
}

if (MAJORS.length === 0) test.todo('fault matrix: runs in n8n 2.x only (E2E_MAJORS must include 2)');
else describe.each(MAJORS)('fault matrix in real n8n %s.x', faultMatrix);
