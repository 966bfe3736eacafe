/**
 * The wording of every alert and of the trigger's status items: how a token is labelled, every message,
 * and every action (what to do about it, by token type and cause).
 *
 * Its own file because the words are read by people in Slack or e-mail and change for them, while
 * the decisions (alertPolicy) change for other reasons; nothing here decides whether to alert.
 */
import type { AuthReason, GraphErrorClass } from '../meta/types';
import type { TokenPlatform, TrackedToken } from './alertState';
import { PLATFORM_FACTS } from '../meta/platform';
import { redactSecrets } from '../meta/redact';
import { HOUR_MS, isoDay, isoMinute, timeLeftInWords, whenInWords } from './time';
import { authReasonInWords } from '../meta/authReasons';

const EXPLORER_URL = 'https://developers.facebook.com/tools/explorer/';
const SYSTEM_USERS_URL = 'https://business.facebook.com/settings/system-users';

const EXCHANGE_USER_TOKEN =
	`exchange a new token: open ${EXPLORER_URL}, get a token, run the Meta Token node's Exchange operation — ` +
	`or switch to a system-user token (Business Settings → System users: ${SYSTEM_USERS_URL}) which can be refreshed by API`;

const GENERATE_SYSTEM_USER_TOKEN =
	"generate a new system-user token (the Meta Token node's Generate System-User Token operation, or " +
	`Business Settings → System users: ${SYSTEM_USERS_URL}) and store it in the credential`;

const REGENERATE_PAGE_TOKEN =
	"regenerate it: run the Meta Token node's Get Page Tokens operation with a valid long-lived user token " +
	'(or a system-user token the Page is assigned to) and store the new Page token in the credential';

const REBUILD_APP_TOKEN =
	'build the app token again from the App ID and the current App Secret (App Dashboard → Settings → Basic); ' +
	'an app token dies only when the app secret is reset';

/**
 * What a user token's expiring or expired alert says when the trigger has a Renewal Link: the
 * form of the renew-user-token-form example exchanges the pasted token and saves it, so pasting
 * is all that is left to do by hand.
 */
function renewalFormAction(renewalUrl: string): string {
	return (
		`Open ${renewalUrl} and paste a new token from the Graph API Explorer (${EXPLORER_URL}): ` +
		'the form exchanges it for a long-lived token and saves it in the credential'
	);
}

// Instagram and Threads tokens are renewed by their own API, never through Facebook's Explorer or
// the Renewal Link form (which exchanges Facebook tokens).

/** The example that keeps an Instagram or Threads token alive by refreshing it weekly. */
const SELF_RENEWING_EXAMPLE = 'examples/self-renewing-instagram-token.json';

/** Before it expires: refresh by API (Meta refuses to refresh an expired token). */
function refreshPlatformTokenAction(platform: TokenPlatform, expiresAtMs: number | null): string {
	const before = expiresAtMs === null ? '' : ` before ${isoMinute(expiresAtMs)}`;
	return (
		`run the Meta Token node's Refresh Long-Lived Token (Platform ${PLATFORM_FACTS[platform].label}) with Save to Credential${before}; ` +
		`once expired it cannot be refreshed (a weekly refresh keeps it alive: ${SELF_RENEWING_EXAMPLE})`
	);
}

/** Past refreshing: a new login, an exchange, then weekly refreshes. */
function loginAgainAction(platform: TokenPlatform, grant = ''): string {
	return (
		`log in through your app's ${PLATFORM_FACTS[platform].label} login again${grant} for a new short-lived token, ` +
		`run the Meta Token node's Exchange (Platform ${PLATFORM_FACTS[platform].label}) with Save to Credential, then refresh it weekly (${SELF_RENEWING_EXAMPLE})`
	);
}

/** The action of a `renewed` alert. */
export const NOTHING_TO_DO = 'Nothing to do.';
/** The action of a status item when no alert is due. */
export const NOTHING_TO_DO_NOW = 'Nothing to do now.';

function capitalise(sentence: string): string {
	return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}

/** "1 hour", "24 hours", "0.5 hours". */
function count(amount: number, unit: string): string {
	return `${amount} ${unit}${amount === 1 ? '' : 's'}`;
}

/** Meta's text or the Graph layer's message, fit for one line of an alert. */
function quote(message: string | null | undefined): string {
	const clean = redactSecrets(message ?? '');
	if (clean === '') return '';
	return clean.length > 300 ? `${clean.slice(0, 299)}…` : clean;
}

/** `Meta token "Acme Ads" (USER, app Reporting App)`: how every message names its token. */
export function label(token: TrackedToken): string {
	const name = token.credentialName ? `"${token.credentialName}"` : `(fingerprint ${token.fingerprint})`;
	const details = [token.type, token.app ? `app ${token.app}` : null].filter(
		(part): part is string => part !== null,
	);
	return `Meta token ${name}${details.length > 0 ? ` (${details.join(', ')})` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Messages

/** When the token (or its data access) ends, for threshold alerts and the status. */
export function expiryMessage(token: TrackedToken, nowMs: number): string {
	const expiresAtMs = token.expiresAtMs ?? nowMs;
	const when = `${timeLeftInWords(expiresAtMs, nowMs)}, on ${whenInWords(expiresAtMs, nowMs)}`;
	if (token.expiryCause === 'dataAccess') {
		const itself =
			token.tokenExpiresAtMs === null
				? 'never expires'
				: `expires ${whenInWords(token.tokenExpiresAtMs, nowMs)}`;
		return `${label(token)} loses data access ${when} (the token itself ${itself})`;
	}
	return `${label(token)} expires ${when}`;
}

/** Appended to a threshold alert computed from the last successful check, before a failure streak. */
export function staleNote(failingSinceMs: number): string {
	return ` (as of the last successful check; checks have failed since ${isoMinute(failingSinceMs)})`;
}

/** An `expired` or `invalid` alert; `metaMessage` is Meta's own text, quoted when there is one. */
export function deathMessage(
	token: TrackedToken,
	event: 'expired' | 'invalid',
	reason: AuthReason,
	metaMessage: string | null | undefined,
	nowMs: number,
): string {
	const said = quote(metaMessage);
	const metaSaid = said ? ` (Meta: "${said}")` : '';
	if (event === 'expired') {
		const at = token.expiresAtMs;
		if (at !== null && at <= nowMs) {
			const what = token.expiryCause === 'dataAccess' ? 'lost data access' : 'expired';
			return `${label(token)} ${what} on ${isoMinute(at)}`;
		}
		return `${label(token)} has expired${metaSaid}`;
	}
	return `${label(token)} is no longer valid: ${authReasonInWords(reason)}${metaSaid}`;
}

export function scopesLostMessage(token: TrackedToken, missing: readonly string[]): string {
	return `${label(token)} is missing required permissions: ${missing.join(', ')}`;
}

/** `previous` was replaced (another fingerprint) or renewed (a later expiry) by `next`. */
export function renewedMessage(previous: TrackedToken, next: TrackedToken, nowMs: number): string {
	const expiry =
		next.expiresAtMs === null
			? next.expiryUnknown
				? 'has no known expiry'
				: 'never expires'
			: `${next.expiryCause === 'dataAccess' ? 'keeps data access until' : 'expires'} ${whenInWords(next.expiresAtMs, nowMs)}, ${timeLeftInWords(next.expiresAtMs, nowMs)}`;
	const how =
		previous.fingerprint !== next.fingerprint
			? `was replaced by a new token, which ${expiry}`
			: `was renewed: it now ${expiry}`;
	return `${label(next)} ${how}`;
}

const CHECK_FAILING_WORDS: Record<GraphErrorClass, string> = {
	rateLimit: 'Meta is rate-limiting the checks',
	transient: "Meta's API had errors",
	network: 'the Graph API could not be reached',
	badResponse: 'the answer was not from the Graph API',
	auth: 'the token used for the check was refused',
	proofRequired: 'Meta requires an appsecret_proof',
	appSecret: "the credential's App Secret is wrong or missing",
	permission: 'a permission is missing for the check',
	policy: 'Meta blocks the check for a policy reason',
	badRequest: 'Meta refused the check as invalid',
};

/** Checks of `token` have failed since `sinceMs`; `failureMessage` is what went wrong last. */
export function checkFailingMessage(
	token: TrackedToken,
	sinceMs: number,
	errorClass: GraphErrorClass,
	failureMessage: string,
	nowMs: number,
): string {
	const hours = Math.floor((nowMs - sinceMs) / HOUR_MS);
	// Under an hour (a Check Failing After Hours below 1): minutes, not "0 hours".
	const duration = hours >= 1 ? count(hours, 'hour') : count(Math.floor((nowMs - sinceMs) / 60_000), 'minute');
	const said = quote(failureMessage);
	return (
		`${label(token)} could not be checked for ${duration} ` +
		`(since ${isoMinute(sinceMs)}): ${CHECK_FAILING_WORDS[errorClass]}${said ? ` — ${said}` : ''}`
	);
}

// Status notes: appended to a status item's message.

export function neverExpiresMessage(token: TrackedToken): string {
	return `${label(token)} never expires`;
}

/**
 * An `expiryUnknown` alert (and status): said once instead of guessing. `platform` is the family's
 * name as users know it (Instagram, Threads).
 */
export function expiryUnknownMessage(token: TrackedToken, platform: string | null): string {
	const family = platform ?? 'This platform';
	return (
		`${label(token)}: its expiry is unknown. ${family} does not tell when this token expires, and the credential holds no record of it ` +
		'(one is written when this package exchanges or refreshes the token with Save to Credential), so no expiry alert can come for it until one does'
	);
}

/**
 * What to do about an unknown expiry: let this package mint the token, so its expiry is recorded.
 * The wording without a platform; {@link expiryUnknownAction} names the token's.
 */
export const EXPIRY_UNKNOWN_ACTION =
	"Run the Meta Token node's Refresh Long-Lived Token (or Exchange) on this credential with Save to Credential on: the new token's expiry is recorded in the credential, and alerts count down to it. A weekly Schedule Trigger doing so keeps the token alive.";

/** {@link EXPIRY_UNKNOWN_ACTION}, naming the Platform to pick in the Meta Token node. */
export function expiryUnknownAction(platform: TokenPlatform | undefined): string {
	if (platform === undefined) return EXPIRY_UNKNOWN_ACTION;
	return (
		`Run the Meta Token node's Refresh Long-Lived Token (Platform ${PLATFORM_FACTS[platform].label}) on this credential with Save to Credential on: ` +
		"the new token's expiry is recorded in the credential, and alerts count down to it. " +
		`A weekly Schedule Trigger doing so keeps the token alive (${SELF_RENEWING_EXAMPLE}).`
	);
}

export function firstAlertNote(thresholdDays: number, atMs: number): string {
	return `; first alert at ${count(thresholdDays, 'day')} left, on ${isoDay(atMs)}`;
}

export function missingPermissionsNote(missing: readonly string[]): string {
	return `; missing required permissions: ${missing.join(', ')}`;
}

export function checkFailingAfterNote(hours: number): string {
	return ` (checkFailing is raised after ${count(hours, 'hour')} of failures)`;
}

// ---------------------------------------------------------------------------------------------
// Actions

/** How to get a working token again, by token type. `dead`: past refreshing. */
function replaceTokenAction(type: string | null, expiresAtMs: number | null, dead: boolean): string {
	switch (type) {
		case 'SYSTEM_USER':
			if (dead || expiresAtMs === null) return GENERATE_SYSTEM_USER_TOKEN;
			return (
				`run the Meta Token node's Refresh System-User Token operation before ${isoMinute(expiresAtMs)} ` +
				'and store the new token in the credential; once it has expired it cannot be refreshed, and then you must ' +
				GENERATE_SYSTEM_USER_TOKEN
			);
		case 'PAGE':
			return REGENERATE_PAGE_TOKEN;
		case 'APP':
			return REBUILD_APP_TOKEN;
		default:
			return EXCHANGE_USER_TOKEN;
	}
}

/**
 * What to do about an approaching expiry (of the token or of its data access). `renewalUrl` is
 * the trigger's Renewal Link (null when unset): a Facebook USER token's own expiry points there.
 */
export function expiryAction(token: TrackedToken, renewalUrl: string | null = null): string {
	if (token.platform !== undefined) {
		if (token.expiryCause === 'dataAccess') return capitalise(loginAgainAction(token.platform));
		return capitalise(refreshPlatformTokenAction(token.platform, token.expiresAtMs));
	}
	if (token.expiryCause === 'dataAccess' && token.type !== 'SYSTEM_USER') {
		return `Have the user log in to the app again (any Facebook Login renews data access for 90 days), or ${EXCHANGE_USER_TOKEN}`;
	}
	if (token.type === 'USER' && renewalUrl !== null) return renewalFormAction(renewalUrl);
	return capitalise(replaceTokenAction(token.type, token.expiresAtMs, false));
}

/**
 * What to do about a dead token, by why it died. `renewalUrl` as for {@link expiryAction}: an
 * expired Facebook USER token points there; other deaths need more than a new paste first.
 * `platform`: an Instagram or Threads token, which only a new login through the app brings back.
 */
export function invalidAction(
	reason: AuthReason,
	type: string | null,
	renewalUrl: string | null = null,
	platform?: TokenPlatform,
): string {
	if (platform !== undefined) return platformInvalidAction(reason, platform);
	const replace = replaceTokenAction(type, null, true);
	switch (reason) {
		case 'expired':
			if (type === 'USER' && renewalUrl !== null) return renewalFormAction(renewalUrl);
			return capitalise(replace);
		case 'passwordChanged':
			return `Log in to Facebook again (the password changed or Meta reset the session), then ${replace}`;
		case 'notAuthorized':
			return `Have the user log in through the app again and grant its permissions (the app was removed, never authorised, or the token revoked), then ${replace}`;
		case 'checkpoint':
			return `The user must log in at https://www.facebook.com and complete the security checkpoint, then ${replace}`;
		case 'noPageRole':
			return "Give the user a role on the Page again (Business Settings → Pages, or the Page's settings), then run the Meta Token node's Get Page Tokens operation and store the new Page token in the credential";
		case 'inactive':
			return `The user must log in again (inactive too long), then ${replace}`;
		default:
			return `Check that the credential holds the complete token of this app; otherwise ${replace}`;
	}
}

/** An Instagram or Threads token's death: why, then the one way back (a new login through the app). */
function platformInvalidAction(reason: AuthReason, platform: TokenPlatform): string {
	const label = PLATFORM_FACTS[platform].label;
	const again = loginAgainAction(platform);
	switch (reason) {
		case 'expired':
			return capitalise(again);
		case 'passwordChanged':
			return `The ${label} password changed or Meta reset the session: ${again}`;
		case 'notAuthorized':
			return `The app was removed, never authorised, or the token revoked: ${loginAgainAction(platform, ' and grant its permissions')}`;
		case 'checkpoint':
			return `The user must log in to ${label} and complete the security checkpoint, then ${again}`;
		case 'inactive':
			return `The user was inactive too long: ${again}`;
		default:
			return `Check that the credential holds the complete token of this app; otherwise ${again}`;
	}
}

const APP_PERMISSION_NOTE =
	'; if Meta does not offer a permission, add it to the app first (App Dashboard → Use cases / App Review)';

/** How to get a token that has the missing permissions, by token type (or platform). */
export function scopesAction(type: string | null, missing: readonly string[], platform?: TokenPlatform): string {
	const list = missing.join(', ');
	const appNote = APP_PERMISSION_NOTE;
	// Instagram and Threads permissions are granted at their login through the app, not in the Explorer.
	if (platform !== undefined) return capitalise(loginAgainAction(platform, ` and grant ${list}`)) + appNote;
	switch (type) {
		case 'SYSTEM_USER':
			return `Generate a new system-user token with scope ${list} (the Meta Token node's Generate System-User Token operation, or Business Settings → System users: ${SYSTEM_USERS_URL}) and store it in the credential${appNote}`;
		case 'PAGE':
			return `Get a user token that has ${list} (${EXPLORER_URL}), then run the Meta Token node's Get Page Tokens operation and store the new Page token in the credential${appNote}`;
		default:
			return `Get a new token with ${list} granted (${EXPLORER_URL} → add the permissions → Generate Access Token), run the Meta Token node's Exchange operation and store the result in the credential${appNote}`;
	}
}

const CHECK_FAILING_ACTIONS: Record<GraphErrorClass, string> = {
	rateLimit:
		"Meta is rate-limiting the checks: poll less often (the trigger's Poll Times) or spread this app's other calls out; the token itself may be fine",
	transient: "Meta's API keeps failing: check https://metastatus.com; nothing needs changing if it recovers",
	network:
		"n8n cannot reach the Graph API: check DNS, firewall and proxy, and the credential's Base URL",
	badResponse:
		"Something between n8n and Meta answers instead of the Graph API: check the credential's Base URL and any proxy",
	auth: "The token used for the check was refused: check that the credential's App ID and App Secret are current (resetting the secret kills the app token), or run the Meta Token node's Inspect operation",
	proofRequired:
		'The app has "Require App Secret" on: fill in the credential\'s App Secret and set App Secret Proof to Auto',
	appSecret:
		"Meta refused the credential's App Secret, or the check needs it: copy the App ID and App Secret of the token's app into the credential",
	permission:
		"The check lacks a permission: check the credential's App ID and App Secret, or run the Meta Token node's Inspect operation for details",
	policy: "Meta blocks the check for a policy reason: check the app dashboard and Account Quality for restrictions",
	badRequest:
		"Meta refuses the check as invalid: check the credential's Graph API version and App ID, or run the Meta Token node's Inspect operation for details",
};

/** What to do when checks keep failing, by the class of the failure. */
export function checkFailingAction(errorClass: GraphErrorClass): string {
	return CHECK_FAILING_ACTIONS[errorClass];
}
