import type { DebugTokenData } from '../../nodes/meta/types';
import {
	recordAuthReason,
	recordExpiryCause,
	toInspectRecord,
} from '../../nodes/policy/inspectRecord';
import { tokenFingerprint } from '../../nodes/policy/tokenIdentity';
import { DAY, HOUR, NOW, sec, TOKEN, userAnswer } from './recordFixtures';

describe('toInspectRecord', () => {
	it('normalises a full user-token answer', () => {
		const record = toInspectRecord(TOKEN, userAnswer(), { nowMs: NOW });
		expect(record).toEqual({
			isValid: true,
			status: 'valid',
			neverExpires: false,
			type: 'USER',
			appId: '1234567890',
			application: 'Reporting App',
			userId: '10215241773831025',
			profileId: null,
			scopes: ['ads_read', 'ads_management', 'public_profile'],
			granularScopes: [
				{ scope: 'ads_read', targetIds: ['act_1', 'act_2'] },
				{ scope: 'public_profile', targetIds: [] },
			],
			missingScopes: [],
			issuedAt: new Date(NOW - 5 * DAY).toISOString(),
			expiresAt: new Date(NOW + 55 * DAY + 12 * HOUR).toISOString(),
			dataAccessExpiresAt: new Date(NOW + 90 * DAY).toISOString(),
			effectiveExpiresAt: new Date(NOW + 55 * DAY + 12 * HOUR).toISOString(),
			daysLeft: 55,
			tokenFingerprint: tokenFingerprint(TOKEN),
			tokenHint: 'EAABxx…ZZ99',
			error: null,
		});
	});

	it('turns numeric target_ids into strings, mixed with string ones', () => {
		const record = toInspectRecord(
			TOKEN,
			userAnswer({
				granular_scopes: [
					{ scope: 'pages_show_list', target_ids: [123456789012345, '987'] },
					{ scope: 'ads_read', target_ids: [] },
				],
			}),
			{ nowMs: NOW },
		);
		expect(record.granularScopes).toEqual([
			{ scope: 'pages_show_list', targetIds: ['123456789012345', '987'] },
			{ scope: 'ads_read', targetIds: [] },
		]);
	});

	it('survives an answer with every field missing', () => {
		const record = toInspectRecord(TOKEN, {}, { nowMs: NOW });
		expect(record).toMatchObject({
			isValid: false,
			status: 'invalid',
			// A dead token never "never expires", even with no expiry field.
			neverExpires: false,
			type: null,
			appId: null,
			application: null,
			userId: null,
			profileId: null,
			scopes: [],
			granularScopes: [],
			missingScopes: [],
			issuedAt: null,
			expiresAt: null,
			dataAccessExpiresAt: null,
			effectiveExpiresAt: null,
			daysLeft: null,
			error: null,
		});
	});

	it('tolerates garbage in fields (wrong types, junk scope entries, numeric strings)', () => {
		const junk = {
			app_id: 1234567890,
			type: '  ',
			expires_at: String(sec(NOW + 10 * DAY)),
			is_valid: 'true',
			scopes: ['ads_read', 7, null, '', 'ads_read'],
			granular_scopes: [null, { target_ids: ['1'] }, { scope: 'ads_read', target_ids: 'act_1' }],
		} as unknown as DebugTokenData;
		const record = toInspectRecord(TOKEN, junk, { nowMs: NOW });
		expect(record.appId).toBe('1234567890');
		expect(record.type).toBeNull();
		expect(record.expiresAt).toBe(new Date(NOW + 10 * DAY).toISOString());
		// Only a real boolean true counts as valid.
		expect(record.isValid).toBe(false);
		expect(record.scopes).toEqual(['ads_read', '7']);
		expect(record.granularScopes).toEqual([{ scope: 'ads_read', targetIds: [] }]);
	});

	describe('never-expiring tokens (expires_at: 0 means NEVER, not 1970)', () => {
		it('page token with expires_at 0 is valid and never expires', () => {
			const record = toInspectRecord(
				TOKEN,
				{ type: 'PAGE', application: 'Reporting App', expires_at: 0, is_valid: true, profile_id: '555' },
				{ nowMs: NOW },
			);
			expect(record).toMatchObject({
				status: 'valid',
				neverExpires: true,
				expiresAt: null,
				effectiveExpiresAt: null,
				daysLeft: null,
				profileId: '555',
			});
		});

		it('system-user token without data access expiry never expires', () => {
			const record = toInspectRecord(
				TOKEN,
				{ type: 'SYSTEM_USER', expires_at: 0, data_access_expires_at: 0, is_valid: true },
				{ nowMs: NOW },
			);
			expect(record).toMatchObject({ status: 'valid', neverExpires: true, dataAccessExpiresAt: null, daysLeft: null });
		});

		it('a token that never expires but loses data access is measured to data access', () => {
			const record = toInspectRecord(
				TOKEN,
				userAnswer({ expires_at: 0, data_access_expires_at: sec(NOW + 3 * DAY) }),
				{ nowMs: NOW },
			);
			expect(record.neverExpires).toBe(true);
			expect(record.effectiveExpiresAt).toBe(new Date(NOW + 3 * DAY).toISOString());
			expect(record.status).toBe('expiring');
			expect(recordExpiryCause(record)).toBe('dataAccess');
		});
	});

	it('uses the data access expiry when it comes first', () => {
		const record = toInspectRecord(
			TOKEN,
			userAnswer({ expires_at: sec(NOW + 50 * DAY), data_access_expires_at: sec(NOW + 20 * DAY) }),
			{ nowMs: NOW },
		);
		expect(record.effectiveExpiresAt).toBe(new Date(NOW + 20 * DAY).toISOString());
		expect(record.daysLeft).toBe(20);
		expect(recordExpiryCause(record)).toBe('dataAccess');
	});

	describe('status', () => {
		it('is expired by the clock while Meta still says is_valid', () => {
			const record = toInspectRecord(TOKEN, userAnswer({ expires_at: sec(NOW - HOUR) }), { nowMs: NOW });
			expect(record).toMatchObject({ isValid: true, status: 'expired', daysLeft: 0 });
		});

		it('is expired exactly at the expiry second', () => {
			const record = toInspectRecord(TOKEN, userAnswer({ expires_at: sec(NOW) }), { nowMs: NOW });
			expect(record.status).toBe('expired');
		});

		it('is expiring within 7 days by default, inclusive, valid just above', () => {
			const at = (ms: number): string =>
				toInspectRecord(TOKEN, userAnswer({ expires_at: sec(ms) }), { nowMs: NOW }).status;
			expect(at(NOW + 7 * DAY)).toBe('expiring');
			expect(at(NOW + 7 * DAY + 1000)).toBe('valid');
			expect(at(NOW + 1000)).toBe('expiring');
		});

		it('honours expiringWithinDays', () => {
			const record = toInspectRecord(TOKEN, userAnswer({ expires_at: sec(NOW + 20 * DAY) }), {
				nowMs: NOW,
				expiringWithinDays: 30,
			});
			expect(record.status).toBe('expiring');
		});

		it('floors daysLeft', () => {
			const record = toInspectRecord(TOKEN, userAnswer({ expires_at: sec(NOW + 2 * DAY - 1000) }), {
				nowMs: NOW,
			});
			expect(record.daysLeft).toBe(1);
		});

		const invalid = (subcode: number | undefined, message: string, expiresAt = 0) =>
			toInspectRecord(
				TOKEN,
				{
					type: 'USER',
					is_valid: false,
					expires_at: expiresAt,
					error: { code: 190, subcode, message },
				},
				{ nowMs: NOW },
			);

		it.each([
			[458, 'Error validating access token: The user has not authorized application 123.', 'notAuthorized'],
			[459, 'Error validating access token: You cannot access the app till you log in to www.facebook.com and follow the instructions given.', 'checkpoint'],
			[460, 'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.', 'passwordChanged'],
			[464, 'Error validating access token: Sessions for the user are not allowed because the user is not a confirmed user.', 'invalid'],
			[467, 'Error validating access token: Invalid session.', 'invalid'],
			[492, 'Error validating access token: user has no page role', 'noPageRole'],
			[493, 'Error validating access token: The session is invalid because the user has been inactive.', 'inactive'],
		])('subcode %i is invalid (%#) with reason', (subcode, message, reason) => {
			const record = invalid(subcode, message);
			expect(record.status).toBe('invalid');
			expect(record.error).toEqual({ code: 190, subcode, message });
			expect(recordAuthReason(record)).toBe(reason);
		});

		it('subcode 463 is expired', () => {
			const record = invalid(463, 'Error validating access token: Session has expired on Friday, 18-Aug-23 10:00:00 PDT.');
			expect(record.status).toBe('expired');
			expect(recordAuthReason(record)).toBe('expired');
		});

		it('an expiry message with subcode 0 or none is expired', () => {
			expect(invalid(0, 'Error validating access token: Session has expired on Friday').status).toBe('expired');
			expect(invalid(undefined, 'The access token has expired').status).toBe('expired');
		});

		it('an invalid token past its expiry is expired whatever the error says', () => {
			expect(invalid(460, 'password changed', sec(NOW - DAY)).status).toBe('expired');
		});

		it('an invalid token without any error is invalid', () => {
			const record = toInspectRecord(TOKEN, { is_valid: false }, { nowMs: NOW });
			expect(record.status).toBe('invalid');
			expect(recordAuthReason(record)).toBe('invalid');
			expect(record.error).toBeNull();
		});

		it('a token that cannot be parsed is invalid', () => {
			const record = invalid(undefined, 'Invalid OAuth access token - Cannot parse access token');
			expect(record.status).toBe('invalid');
			expect(record.error?.subcode).toBeNull();
			expect(recordAuthReason(record)).toBe('invalid');
		});
	});

	it('never lets a token into the error message', () => {
		const record = toInspectRecord(
			'EAAshort',
			{
				is_valid: false,
				error: {
					code: 190,
					message: `Bad token EAAshort and EAAGm0PX4ZCpsBAKZAabcdef12345 in\nthe request access_token=${TOKEN}`,
				},
			},
			{ nowMs: NOW },
		);
		expect(record.error?.message).not.toMatch(/EAA[A-Za-z0-9]{4,}/);
		expect(record.error?.message).not.toContain('\n');
		expect(record.error?.message).toContain('[redacted]');
	});

	it('lists required scopes the token lacks, case-insensitively', () => {
		const record = toInspectRecord(TOKEN, userAnswer(), {
			nowMs: NOW,
			requiredScopes: ['ADS_READ', 'business_management', 'pages_show_list', 'business_management'],
		});
		expect(record.missingScopes).toEqual(['business_management', 'pages_show_list']);
	});
});

describe('the effective expiry', () => {
	it.each<[DebugTokenData, number | null, string | null]>([
		[{ expires_at: 100, data_access_expires_at: 200 }, 100, 'expires'],
		[{ expires_at: 300, data_access_expires_at: 200 }, 200, 'dataAccess'],
		[{ expires_at: 0, data_access_expires_at: 200 }, 200, 'dataAccess'],
		[{ expires_at: 100, data_access_expires_at: 0 }, 100, 'expires'],
		[{ expires_at: 100 }, 100, 'expires'],
		[{ expires_at: 0 }, null, null],
		[{ expires_at: 0, data_access_expires_at: 0 }, null, null],
		[{}, null, null],
		[{ expires_at: 200, data_access_expires_at: 200 }, 200, 'expires'],
	])('%j → %p (%p)', (data, atSeconds, cause) => {
		const record = toInspectRecord(TOKEN, data, { nowMs: NOW });
		expect(record.effectiveExpiresAt).toBe(atSeconds === null ? null : new Date(atSeconds * 1000).toISOString());
		expect(recordExpiryCause(record)).toBe(cause);
	});
});
