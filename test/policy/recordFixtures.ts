/**
 * The shared inputs of the inspect-record tests (inspectRecord, tokenIdentity): a fixed
 * "now", a full-size token and Meta's example `debug_token` answer.
 */
import type { DebugTokenData } from '../../nodes/meta/types';

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
/** 2026-11-01T00:00:00Z, the fixed "now" of these tests. */
export const NOW = Date.UTC(2026, 10, 1);
export const sec = (ms: number): number => Math.floor(ms / 1000);
export const TOKEN = 'EAAB' + 'x'.repeat(150) + 'ZZ99';

/** The example answer of the reference, moved relative to NOW. */
export function userAnswer(overrides: Partial<DebugTokenData> = {}): DebugTokenData {
	return {
		app_id: '1234567890',
		type: 'USER',
		application: 'Reporting App',
		data_access_expires_at: sec(NOW + 90 * DAY),
		expires_at: sec(NOW + 55 * DAY + 12 * HOUR),
		is_valid: true,
		issued_at: sec(NOW - 5 * DAY),
		scopes: ['ads_read', 'ads_management', 'public_profile'],
		granular_scopes: [
			{ scope: 'ads_read', target_ids: ['act_1', 'act_2'] },
			{ scope: 'public_profile' },
		],
		user_id: '10215241773831025',
		...overrides,
	};
}
