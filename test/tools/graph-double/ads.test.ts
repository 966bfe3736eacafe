/**
 * The double's ad insights endpoint (ads.ts) over real HTTP: what a reporting workflow's HTTP
 * Request node meets — a live token with an ads scope, the proof a "Require App Secret" app
 * demands, Meta's refusals, and a request log that shows where the token travelled.
 */
import { createHmac } from 'crypto';

import { type DoubleApp, type DoubleTokenSpec, GraphDouble } from '../../../tools/graph-double/GraphDouble';

/** 2026-09-02 00:00 UTC. */
const T0 = 1_788_307_200;
const APP: DoubleApp = { id: '1234567890', name: 'Reporting App', secret: 'app-secret' };
const STRICT: DoubleApp = { id: '2222222222', name: 'Strict App', secret: 'strict-secret', requireAppSecret: true };

let double: GraphDouble;

beforeAll(async () => {
	double = await GraphDouble.start({ now: T0 });
	double.addApp(APP);
	double.addApp(STRICT);
});

afterAll(async () => {
	await double.stop();
});

beforeEach(() => double.clearRequests());

interface Reply {
	status: number;
	json: { data?: Array<Record<string, unknown>>; error?: { code: number; error_subcode?: number; message: string } };
}

async function insights(account: string, token: string | null, query: Record<string, string> = {}): Promise<Reply> {
	const url = new URL(`${double.url}/v25.0/act_${account}/insights`);
	for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
	const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
	return { status: response.status, json: (await response.json()) as Reply['json'] };
}

const proof = (secret: string, token: string) => createHmac('sha256', secret).update(token).digest('hex');

function user(scopes: string[], extra: Partial<DoubleTokenSpec> = {}): string {
	return double.addToken({ type: 'USER', appId: APP.id, userId: '9', scopes, expiresAt: T0 + 86_400 * 30, ...extra });
}

describe('GET /act_{id}/insights', () => {
	it("answers Meta's shape: string values, the asked fields, the preset's days, paging", async () => {
		const token = user(['ads_read']);
		const reply = await insights('1234', token, { fields: 'impressions,clicks,spend', date_preset: 'last_7d' });
		expect(reply.status).toBe(200);
		const [row] = reply.json.data ?? [];
		expect(Object.keys(row)).toEqual(['impressions', 'clicks', 'spend', 'date_start', 'date_stop']);
		expect(row).toMatchObject({ date_start: '2026-08-26', date_stop: '2026-09-01' });
		expect(row.impressions).toMatch(/^\d+$/);
		expect(row.spend).toMatch(/^\d+\.\d\d$/);
		// Deterministic per account and day: the same call gives the same numbers.
		expect((await insights('1234', token, { fields: 'impressions,clicks,spend', date_preset: 'last_7d' })).json.data).toEqual([row]);
		expect(reply.json).toHaveProperty('paging.cursors.after');
	});

	it('defaults to impressions and spend over the last 30 days', async () => {
		const [row] = (await insights('1234', user(['ads_management']))).json.data ?? [];
		expect(Object.keys(row)).toEqual(['impressions', 'spend', 'date_start', 'date_stop']);
		expect(row).toMatchObject({ date_start: '2026-08-03', date_stop: '2026-09-01' });
	});

	it('needs an ads scope (200) and, with target ids, that account (100/33)', async () => {
		const noAds = await insights('1234', user(['pages_show_list']));
		expect(noAds.status).toBe(403);
		expect(noAds.json.error).toMatchObject({ code: 200, message: expect.stringContaining('ads_read') });
		const page = double.addToken({ type: 'PAGE', appId: APP.id, profileId: '77', scopes: ['ads_read'] });
		expect((await insights('1234', page)).json.error?.code).toBe(200);

		const targeted = user(['ads_read'], { granularScopes: [{ scope: 'ads_read', target_ids: ['act_1234', 5678] }] });
		expect((await insights('1234', targeted)).status).toBe(200);
		expect((await insights('5678', targeted)).status).toBe(200);
		const other = await insights('9999', targeted);
		expect(other.json.error).toMatchObject({ code: 100, error_subcode: 33 });
	});

	it('refuses a dead or missing token, unknown fields and presets', async () => {
		const expired = user(['ads_read'], { expiresAt: T0 - 60 });
		expect((await insights('1234', expired)).json.error).toMatchObject({ code: 190, error_subcode: 463 });
		expect((await insights('1234', null)).json.error?.code).toBe(2500);
		const token = user(['ads_read']);
		expect((await insights('1234', token, { fields: 'impressions,secret_sauce' })).json.error).toMatchObject({
			code: 100,
			message: expect.stringContaining('secret_sauce'),
		});
		expect((await insights('1234', token, { date_preset: 'last_century' })).json.error?.code).toBe(100);
	});

	it('checks appsecret_proof for apps that require it, and logs where the token travelled', async () => {
		const token = double.addToken({ type: 'SYSTEM_USER', appId: STRICT.id, userId: '61', scopes: ['ads_read'] });
		expect((await insights('1234', token)).json.error?.message).toBe('API calls from the server require an appsecret_proof argument');
		expect((await insights('1234', token, { appsecret_proof: proof('wrong', token) })).json.error?.message).toMatch(/Invalid appsecret_proof/);
		double.clearRequests();
		expect((await insights('1234', token, { appsecret_proof: proof(STRICT.secret, token) })).status).toBe(200);
		const [logged] = double.requests;
		expect(logged).toMatchObject({ method: 'GET', path: '/act_1234/insights', version: 'v25.0', callingToken: token, status: 200 });
		expect(logged.headers.authorization).toBe(`Bearer ${token}`);
		expect(logged.query).toEqual({ appsecret_proof: proof(STRICT.secret, token) });
	});
});
