/**
 * The one Marketing API endpoint the double serves: `GET /act_{id}/insights`, the call reporting
 * workflows make with the HTTP Request node and the Meta Token API credential. Its own file
 * because it is the ads side of the Graph API, not the token lifecycle of endpoints.ts; the
 * calling token is checked (alive, proven when the app requires it) before this runs.
 *
 * Faithful where a client could trip: values are strings, as Meta sends them; the token needs
 * `ads_read` or `ads_management`; granular scopes with target ids limit which ad accounts it
 * sees (another account is "does not exist … missing permissions", 100/33); unknown fields and
 * date presets are refused with code 100. The numbers are made up, deterministic per account and
 * day, so a test can compare two runs.
 */
import { createHash } from 'crypto';

import { errorAnswer, invalidParameter, jsonAnswer, unsupportedRequest } from './errors';
import type { Answer, GraphRequest, StoredToken } from './model';

const ADS_SCOPES: readonly string[] = ['ads_read', 'ads_management'];

/** The insights fields the double knows; Meta's list is far longer. */
const INSIGHTS_FIELDS: readonly string[] = ['account_id', 'impressions', 'clicks', 'spend', 'reach', 'ctr'];
/** What Meta returns when `fields` is absent. */
const DEFAULT_FIELDS: readonly string[] = ['impressions', 'spend'];

const DAY = 86_400;
/** Days back from yesterday (inclusive) each preset covers; `today` is the day itself. */
const DATE_PRESETS: Record<string, { fromDaysAgo: number; toDaysAgo: number }> = {
	today: { fromDaysAgo: 0, toDaysAgo: 0 },
	yesterday: { fromDaysAgo: 1, toDaysAgo: 1 },
	last_7d: { fromDaysAgo: 7, toDaysAgo: 1 },
	last_30d: { fromDaysAgo: 30, toDaysAgo: 1 },
};

const INSIGHTS_PATH = /^\/act_(\d+)\/insights$/;

/** The ad account id when `path` is an insights path, else null. */
export function insightsAccount(path: string): string | null {
	return INSIGHTS_PATH.exec(path)?.[1] ?? null;
}

function isoDay(unixSeconds: number): string {
	return new Date(unixSeconds * 1000).toISOString().slice(0, 10);
}

/** 0 ≤ n < 1, fixed per input. */
function unit(...parts: string[]): number {
	return createHash('sha256').update(parts.join('\n')).digest().readUInt32BE(0) / 2 ** 32;
}

/** Whether the token may read this ad account: an ads scope, and the account among its targets if listed. */
function canRead(token: StoredToken, accountId: string): 'yes' | 'noScope' | 'notTarget' {
	if (token.type !== 'USER' && token.type !== 'SYSTEM_USER') return 'noScope';
	if (!ADS_SCOPES.some((scope) => (token.scopes ?? []).includes(scope))) return 'noScope';
	const granular = (token.granularScopes ?? []).filter((entry) => ADS_SCOPES.includes(entry.scope));
	// Absent target ids mean "all the user's accounts", as at Meta.
	if (granular.length === 0 || granular.some((entry) => entry.target_ids === undefined)) return 'yes';
	const targets = granular.flatMap((entry) => (entry.target_ids ?? []).map(String));
	return targets.includes(accountId) || targets.includes(`act_${accountId}`) ? 'yes' : 'notTarget';
}

/** `GET /act_{id}/insights` (`fields`, `date_preset`) for a checked calling token. */
export function insights(request: GraphRequest, caller: StoredToken, now: number): Answer {
	const accountId = insightsAccount(request.path) as string;
	const access = canRead(caller, accountId);
	if (access === 'noScope') {
		return errorAnswer(403, {
			code: 200,
			message: '(#200) Ad account owner has NOT grant ads_management or ads_read permission',
		});
	}
	if (access === 'notTarget') return unsupportedRequest(request.method, request.path);

	const { fields: rawFields, date_preset: rawPreset } = request.params;
	const fields = rawFields
		? rawFields.split(',').map((field) => field.trim()).filter((field) => field !== '')
		: [...DEFAULT_FIELDS];
	const unknown = fields.find((field) => !INSIGHTS_FIELDS.includes(field));
	if (unknown !== undefined) {
		return invalidParameter(`(#100) ${unknown} is not valid for fields param. please check https://developers.facebook.com/docs/marketing-api/reference/ads-insights/ for all valid values`);
	}
	const presetName = rawPreset ?? 'last_30d';
	const preset = DATE_PRESETS[presetName];
	if (!preset) {
		return invalidParameter(`(#100) date_preset must be one of the following values: ${Object.keys(DATE_PRESETS).join(', ')}`);
	}
	const dateStart = isoDay(now - preset.fromDaysAgo * DAY);
	const dateStop = isoDay(now - preset.toDaysAgo * DAY);
	const days = preset.fromDaysAgo - preset.toDaysAgo + 1;
	const impressions = Math.round((2_000 + unit(accountId, dateStart, 'impressions') * 8_000) * days);
	const clicks = Math.round(impressions * (0.005 + unit(accountId, dateStart, 'clicks') * 0.02));
	const values: Record<string, string> = {
		account_id: accountId,
		impressions: String(impressions),
		clicks: String(clicks),
		spend: (impressions * (0.004 + unit(accountId, dateStart, 'spend') * 0.006)).toFixed(2),
		reach: String(Math.round(impressions * 0.7)),
		ctr: ((clicks * 100) / impressions).toFixed(6),
	};
	const row: Record<string, string> = {};
	for (const field of fields) row[field] = values[field];
	row.date_start = dateStart;
	row.date_stop = dateStop;
	const cursor = Buffer.from('MAZDZD').toString('base64url');
	return jsonAnswer({ data: [row], paging: { cursors: { before: cursor, after: cursor } } });
}
