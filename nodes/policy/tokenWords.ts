/**
 * The inspect record in plain words: what the token is, when it dies, and why a dead one died.
 *
 * Its own file because wording changes for readers while the record's meaning stays put: the
 * credential test and the Inspect output print these sentences, and the alerts (alertWords) reuse
 * the reasons, so a reason is worded once.
 */
import type { AuthReason } from '../graph/types';
import type { InspectRecord } from './inspectRecord';
import { effectiveExpiryMs, expiresAtMs, recordAuthReason, recordExpiryCause } from './inspectRecord';
import { isoDay, timeLeftInWords } from './time';

/** "USER token for app 'Reporting App'", "Token", "PAGE token for app 123". */
function tokenKind(record: InspectRecord): string {
	const kind = record.type ? `${record.type} token` : 'Token';
	if (record.application) return `${kind} for app '${record.application}'`;
	if (record.appId) return `${kind} for app ${record.appId}`;
	return kind;
}

const REASON_WORDS: Record<AuthReason, string> = {
	expired: 'it has expired',
	passwordChanged: 'the user changed their password or Meta reset the session',
	notAuthorized: 'the user removed or never authorised the app, or the token was revoked',
	checkpoint: "the user's account is held at a Facebook security checkpoint",
	noPageRole: 'the user no longer has a role on the Page',
	inactive: 'the user has been inactive too long',
	invalid: 'Meta does not accept it (malformed, revoked or of another app)',
};

/** Plain words for why a token is dead. */
export function authReasonInWords(reason: AuthReason): string {
	return REASON_WORDS[reason];
}

/**
 * One sentence on what the token is and when it dies, for the credential test and the Inspect
 * output, e.g. "USER token for app 'Reporting App' — expires 2027-01-20, in 55 days".
 */
export function describeToken(record: InspectRecord, nowMs: number): string {
	const kind = tokenKind(record);
	const effectiveMs = effectiveExpiryMs(record);
	const expiresMs = expiresAtMs(record);
	const missing =
		record.missingScopes.length > 0 ? `; missing scopes: ${record.missingScopes.join(', ')}` : '';
	const pastExpiry = effectiveMs !== null && effectiveMs <= nowMs;

	if (record.status === 'invalid' && !pastExpiry) {
		const reason = recordAuthReason(record) ?? 'invalid';
		const said = record.error?.message ? ` (Meta: "${record.error.message}")` : '';
		return `${kind} — invalid: ${authReasonInWords(reason)}${said}`;
	}
	if (record.status === 'expired' || pastExpiry) {
		if (effectiveMs !== null && effectiveMs <= nowMs) {
			const what = recordExpiryCause(record) === 'dataAccess' ? 'data access expired' : 'expired';
			return `${kind} — ${what} on ${isoDay(effectiveMs)}`;
		}
		return `${kind} — expired`;
	}
	if (effectiveMs === null) return `${kind} — never expires${missing}`;

	const when = `${isoDay(effectiveMs)}, ${timeLeftInWords(effectiveMs, nowMs)}`;
	if (recordExpiryCause(record) === 'dataAccess') {
		const tokenItself = expiresMs === null ? 'never expires' : `expires ${isoDay(expiresMs)}`;
		return `${kind} — data access expires ${when} (the token itself ${tokenItself})${missing}`;
	}
	return `${kind} — expires ${when}${missing}`;
}
