import { toInspectRecord } from '../../nodes/policy/inspectRecord';
import { describeToken } from '../../nodes/policy/tokenWords';
import { DAY, HOUR, sec, TOKEN, userAnswer } from './recordFixtures';

describe('describeToken', () => {
	const expiry = Date.UTC(2027, 0, 20);
	const now = expiry - 55 * DAY - 6 * HOUR;

	it('says what a user token is and when it dies', () => {
		const record = toInspectRecord(TOKEN, userAnswer({ expires_at: sec(expiry), data_access_expires_at: sec(expiry + 30 * DAY) }), { nowMs: now });
		expect(describeToken(record, now)).toBe("USER token for app 'Reporting App' — expires 2027-01-20, in 55 days");
	});

	it('says a page token never expires', () => {
		const record = toInspectRecord(TOKEN, { type: 'PAGE', application: 'Reporting App', expires_at: 0, is_valid: true }, { nowMs: now });
		expect(describeToken(record, now)).toBe("PAGE token for app 'Reporting App' — never expires");
	});

	it('names data access when it ends first', () => {
		const record = toInspectRecord(
			TOKEN,
			userAnswer({ expires_at: sec(expiry), data_access_expires_at: sec(expiry - 40 * DAY) }),
			{ nowMs: now },
		);
		expect(describeToken(record, now)).toBe(
			"USER token for app 'Reporting App' — data access expires 2026-12-11, in 15 days (the token itself expires 2027-01-20)",
		);
	});

	it('speaks in hours in the last two days', () => {
		const record = toInspectRecord(TOKEN, userAnswer({ expires_at: sec(now + 30 * HOUR) }), { nowMs: now });
		expect(describeToken(record, now)).toMatch(/— expires \d{4}-\d\d-\d\d, in 30 hours$/);
	});

	it('says when a token expired, and why an invalid one is dead', () => {
		const expired = toInspectRecord(TOKEN, userAnswer({ expires_at: sec(now - DAY) }), { nowMs: now });
		expect(describeToken(expired, now)).toBe(
			`USER token for app 'Reporting App' — expired on ${new Date(now - DAY).toISOString().slice(0, 10)}`,
		);
		const invalid = toInspectRecord(
			TOKEN,
			{ type: 'USER', app_id: '42', is_valid: false, error: { code: 190, subcode: 460, message: 'password changed' } },
			{ nowMs: now },
		);
		expect(describeToken(invalid, now)).toBe(
			'USER token for app 42 — invalid: the user changed their password or Meta reset the session (Meta: "password changed")',
		);
	});

	it('mentions missing scopes, and copes with an unknown type', () => {
		const record = toInspectRecord(TOKEN, { is_valid: true, expires_at: 0, scopes: [] }, { nowMs: now, requiredScopes: ['ads_read'] });
		expect(describeToken(record, now)).toBe('Token — never expires; missing scopes: ads_read');
	});
});
