/**
 * Timeline of the trigger over an Instagram token's life: 400 days of polls, every 6 hours, of the
 * REAL Meta Token Trigger — `poll` run in n8n-core's PollContext, under each of n8n's pollers
 * (test/support/pollers.ts, which model what each saves and when), over real HTTP through the
 * credential's `authenticate` — against a loopback stand-in for graph.instagram.com that answers
 * `GET /{version}/me?fields=user_id,username` as Meta's pages show it (a working token: its user;
 * an expired one: OAuthException 190/463; an unknown one: 190).
 *
 * The credential changes as n8n's would: every week the self-renewing workflow refreshes the
 * token (`ig_refresh_token`: a new token valid 60 days from the refresh) and Save to Credential
 * writes the token AND its record (policy/tokenRecord.ts) into the credential in one PATCH; each
 * poll reads the credential's contents of that moment. Instagram has no debug_token, so that record
 * is the only source of the token's expiry.
 *
 * - Kept alive: no alert in 400 days; only the polls after a change of token return an empty
 *   result (n8n then saves the new history under every poller).
 * - Refresh stops: each threshold exactly once, then `expired` once, then silence.
 */
import type { IDataObject } from 'n8n-workflow';

import { MetaTokenTrigger } from '../../nodes/MetaTokenTrigger/MetaTokenTrigger.node';
import { tokenFingerprint } from '../../nodes/policy/tokenIdentity';
import { formatTokenRecord, recordMintedToken } from '../../nodes/policy/tokenRecord';
import { fakeDateOnly } from '../support/fakeDate';
import { PlatformStandIn } from '../support/platformStandIn';
import type { PollOutcome, PollRun, PollerKind } from '../support/pollers';
import { POLLER_KINDS, PolledTrigger } from '../support/pollers';

const HOUR = 3_600;
const DAY = 86_400;
const T0 = Date.UTC(2026, 0, 1) / 1000;
const DAYS = 400;
const POLL_HOURS = [0, 6, 12, 18];

const at = (day: number, hour = 0): number => T0 + day * DAY + hour * HOUR;

/** What the Meta Token API credential holds, as Save to Credential leaves it. */
interface Credential {
	accessToken: string;
	tokenRecord: string;
}

let meta: PlatformStandIn;

beforeAll(async () => {
	meta = new PlatformStandIn(at(-1));
	await meta.start();
});
afterAll(async () => await meta.stop());
afterEach(() => jest.useRealTimers());

function setClocks(unixSeconds: number): void {
	jest.setSystemTime(unixSeconds * 1000);
	meta.now = unixSeconds;
}

/** Refresh Long-Lived Token with Save to Credential: the new token and its record, one PATCH. */
function refreshInto(credential: Credential, name: string): void {
	const { token, expiresIn } = meta.mint(name);
	credential.accessToken = token;
	credential.tokenRecord = formatTokenRecord(recordMintedToken(token, meta.now * 1000, expiresIn));
}

type Seen = [event: string, threshold: number | null, day: number, hour: number];

/**
 * 400 days of polls with a weekly refresh (Mondays 06:00 in the workflow; here every 7 days from
 * day 0 at 03:00) until `lastRefreshDay`; n8n restarts every 50 days.
 */
async function live(kind: PollerKind, lastRefreshDay: number) {
	fakeDateOnly(at(-1) * 1000);
	setClocks(at(-1, 12));
	// The token comes from Exchange with Save to Credential: it has its record from the start.
	const credential: Credential = { accessToken: '', tokenRecord: '' };
	refreshInto(credential, 'exchanged');
	const tokens = [credential.accessToken];
	const trigger = new PolledTrigger(new MetaTokenTrigger(), kind, {
		parameters: { thresholds: '14,7,3,1' },
		credentialIds: { metaTokenApi: 'cred-instagram' },
	});
	// Each poll reads the credential as it is at that moment (n8n decrypts it per execution).
	const run = (): PollRun => ({
		credentials: { metaTokenApi: { ...credential, platform: 'instagram', baseUrl: meta.url } },
	});
	const seen: Seen[] = [];
	const empty: Array<[number, number]> = [];
	const alerts: IDataObject[] = [];
	let polls = 0;
	const record = (outcome: PollOutcome | null, time: number) => {
		if (outcome === null) return;
		polls += 1;
		const day = Math.floor((time - T0) / DAY);
		const hour = ((time - T0) % DAY) / HOUR;
		if (outcome.items?.[0]?.length === 0) empty.push([day, hour]);
		for (const item of outcome.items?.[0] ?? []) {
			alerts.push(item.json);
			seen.push([item.json.event as string, item.json.threshold as number | null, day, hour]);
		}
	};
	for (let day = 0; day < DAYS; day++) {
		for (const hour of POLL_HOURS) {
			// Between the 00:00 and 06:00 polls: the weekly refresh at 03:00, a restart at 04:00.
			if (hour === 6 && day % 7 === 0 && day <= lastRefreshDay) {
				setClocks(at(day, 3));
				refreshInto(credential, `week${day / 7}`);
				tokens.push(credential.accessToken);
			}
			if (hour === 6 && day > 0 && day % 50 === 0) {
				setClocks(at(day, 4));
				record(await trigger.restart(run()), at(day, 4));
			}
			setClocks(at(day, hour));
			record(day === 0 && hour === 0 ? await trigger.activate(run()) : await trigger.poll(run()), at(day, hour));
		}
	}
	// No alert ever carries a token.
	const everything = JSON.stringify(alerts);
	for (const token of tokens) expect(everything).not.toContain(token);
	return { seen, empty, alerts, polls, tokens, stored: trigger.stored() };
}

describe.each(POLLER_KINDS)('an Instagram token under the %s poller', (kind) => {
	const restartPolls = kind === 'legacy' ? 7 : 0;

	it('kept alive by weekly refreshes with Save to Credential: no alert in 400 days', async () => {
		meta.requests.length = 0;
		const { seen, empty, polls, tokens, stored } = await live(kind, DAYS);
		expect(seen).toEqual([]);
		expect(tokens).toHaveLength(1 + Math.ceil(DAYS / 7));
		// One /me per poll, never more (no retry: nothing failed), never a batch.
		expect(polls).toBe(DAYS * POLL_HOURS.length + restartPolls);
		expect(meta.requests).toHaveLength(polls);
		expect(meta.requests.every((request) => request.method === 'GET' && request.path === '/v25.0/me')).toBe(true);
		// The first poll, then the first poll after each weekly refresh (day 0's refresh comes
		// after the activation poll): the new token's history must be saved under every poller.
		// On day 350, a refresh day and a restart day, the legacy poller's restart poll (04:00) is that poll.
		const refreshPolls = Array.from({ length: Math.ceil(DAYS / 7) }, (_, week) => [
			week * 7,
			kind === 'legacy' && week * 7 === 350 ? 4 : 6,
		]);
		expect(empty).toEqual([[0, 0], ...refreshPolls]);
		// What the state remembers is the last token, with the recorded expiry, and nothing alerted.
		expect(JSON.stringify(stored)).toContain(tokenFingerprint(tokens[tokens.length - 1]));
		expect(JSON.stringify(stored)).not.toContain('"alerted":true');
	}, 120_000);

	it('refresh stops after day 98: each threshold exactly once, then expired once, then silence', async () => {
		const { seen, alerts, tokens } = await live(kind, 98);
		// The last refresh, d98 03:00, makes a token that expires d158 03:00 (60 days, recorded).
		// 14 days left from d144 03:00 → poll d144 06:00; 7: d151 06:00; 3: d155 06:00; 1: d157 06:00;
		// expired at the d158 06:00 poll (Meta refuses it with 190/463 from d158 03:00).
		expect(seen).toEqual([
			['expiring', 14, 144, 6],
			['expiring', 7, 151, 6],
			['expiring', 3, 155, 6],
			['expiring', 1, 157, 6],
			['expired', null, 158, 6],
		]);
		const last = tokens[tokens.length - 1];
		for (const alert of alerts) {
			expect(alert.tokenFingerprint).toBe(tokenFingerprint(last));
			// The expiry the alerts count down to is the one recorded at the refresh.
			expect(alert.expiresAt).toBe(new Date(at(158, 3) * 1000).toISOString());
		}
		// 13 days and 21 hours left at the d144 06:00 poll.
		expect(alerts[0]).toMatchObject({ severity: 'warning', daysLeft: 13, expirySource: 'recorded', platform: 'instagram' });
		expect(alerts[4]).toMatchObject({ severity: 'critical', reason: 'expired' });
	}, 120_000);
});
