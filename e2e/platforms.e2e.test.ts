/**
 * Instagram and Threads tokens in a real n8n server, against the Graph double's graph.instagram.com
 * (`/instagram`) and graph.threads.net (`/threads`). One n8n per major:
 *
 * - the credential's Test button asks each platform's `/me` on the double;
 * - Exchange turns a short-lived token into a long-lived one, the app secret reaching only that
 *   platform's `/access_token` (the double's request log);
 * - Refresh Long-Lived Token: on 2.x with Save to Credential, the credential then holds the new
 *   token and its token record (n8n's `export:credentials --decrypted`), and a second refresh in
 *   the same hour is refused before sending (the record says the token is under 24 hours old); on
 *   1.x without Save (Save is refused there: the example below says so);
 * - Inspect: `recorded` for an Instagram token with a record, `unknown` without one, `meta` on
 *   Threads (debug_token);
 * - two ACTIVE Meta Token Triggers polling every minute on Instagram credentials: one whose token's
 *   recorded expiry is 5 days away alerts the 7-day threshold once, one without a record says
 *   `expiryUnknown` once — both checked after later polls, which run while the other tests do;
 * - examples/self-renewing-instagram-token.json: on 2.x the refresh saves and Slack stays silent, a
 *   token Meta does not know reaches Slack; on 1.x Slack hears that the save cannot be done, and
 *   nothing was sent to Meta.
 */
import { readFileSync } from 'fs';
import { join } from 'path';

import { instagramToken, threadsToken } from '../tools/graph-double/platformTokens';
import type { DoubleTokenSpec, LoggedRequest } from '../tools/graph-double/model';
import { EXAMPLES, loadExample } from './support/examples';
import { GraphDoubleProcess } from './support/graphDoubleProcess';
import { N8nInstance, nodeItems, type CredentialImport, type WorkflowNode } from './support/n8n';
import type { Major } from './support/paths';
import { n8nRuntime, selectedMajors } from './support/paths';
import { stopAll, waitFor } from './support/processes';
import { WebhookSink } from './support/sink';
import { packedTarball } from './support/tarball';
import { DAY, fingerprint, nowSeconds, tokenFor } from './support/tokens';
import { META_TOKEN_TRIGGER_TYPE, manualTrigger, metaTokenNode, postJson, workflow } from './support/workflowBuilder';

const T = nowSeconds();
const IG_APP = { id: '3001', name: 'IG Poster', secret: 'ig-app-secret-e2e-8d2f' };
const TH_APP = { id: '3002', name: 'Threads Poster', secret: 'th-app-secret-e2e-1c7a' };
const WHOLE_TOKEN = /(IGAA|THAA)[A-Za-z0-9]{20,}/g;

/** A token string of the platform's shape, the same for the same label. */
const igToken = (label: string) => `IGAA${tokenFor(`platforms-${label}`).slice(3)}`;
const thToken = (label: string) => `THAA${tokenFor(`platforms-${label}`).slice(3)}`;

const TOKENS = {
	igShort: instagramToken({ appId: IG_APP.id, kind: 'short', issuedAt: T - 600, token: igToken('ig-short') }),
	thShort: threadsToken({ appId: TH_APP.id, kind: 'short', issuedAt: T - 600, token: thToken('th-short') }),
	// Long-lived, 50 days old: refreshable.
	igLong: instagramToken({ appId: IG_APP.id, issuedAt: T - 50 * DAY, token: igToken('ig-long') }),
	thLong: threadsToken({ appId: TH_APP.id, issuedAt: T - 50 * DAY, token: thToken('th-long') }),
	// Pasted by hand: no record anywhere.
	igPasted: instagramToken({ appId: IG_APP.id, issuedAt: T - 5 * DAY, token: igToken('ig-pasted') }),
	// Watched by the triggers: one with a record 5 days from expiry, one without.
	igNear: instagramToken({ appId: IG_APP.id, issuedAt: T - 55 * DAY, lifetime: 60 * DAY + 3600, token: igToken('ig-near') }),
	igUnrecorded: instagramToken({ appId: IG_APP.id, issuedAt: T - 10 * DAY, token: igToken('ig-unrecorded') }),
	// The example's credential.
	igExample: instagramToken({ appId: IG_APP.id, issuedAt: T - 30 * DAY, token: igToken('ig-example') }),
} satisfies Record<string, DoubleTokenSpec>;
const token = (name: keyof typeof TOKENS): string => String(TOKENS[name].token);
/** A token the double never issued. */
const IG_UNKNOWN = igToken('ig-never-issued');

const NEAR_RECORD = { fingerprint: fingerprint(token('igNear')), issuedAt: T - 55 * DAY, expiresAt: T + 5 * DAY + 3600 };

const CRED = {
	igShort: { id: 'mtPlatIgShort01', name: 'Instagram short-lived' },
	thShort: { id: 'mtPlatThShort01', name: 'Threads short-lived' },
	igLong: { id: 'mtPlatIgLong001', name: 'Instagram long-lived' },
	thLong: { id: 'mtPlatThLong001', name: 'Threads long-lived' },
	igPasted: { id: 'mtPlatIgPaste01', name: 'Instagram pasted' },
	igNear: { id: 'mtPlatIgNear001', name: 'Acme Instagram' },
	igUnrecorded: { id: 'mtPlatIgUnrec01', name: 'Shop Instagram' },
	igExample: { id: 'mtPlatIgExamp01', name: 'Instagram token (Meta Token API)' },
	igUnknown: { id: 'mtPlatIgUnkno01', name: 'Instagram token Meta does not know' },
} as const;
const N8N_API_CREDENTIAL = { id: 'mtPlatN8nApi001', name: 'n8n API (for Meta Token)' };

const WF = {
	igExchange: 'MetaTokenPlat001',
	thExchange: 'MetaTokenPlat002',
	igRefresh: 'MetaTokenPlat003',
	thRefresh: 'MetaTokenPlat004',
	inspect: 'MetaTokenPlat005',
	triggerNear: 'MetaTokenPlat006',
	triggerUnknown: 'MetaTokenPlat007',
	exampleFailing: 'MetaTokenPlat008',
	example: 'MetaTokenRenewIG1',
} as const;

interface Exported {
	id: string;
	type: string;
	data: Record<string, unknown>;
}

describe.each(selectedMajors())('Instagram and Threads tokens in real n8n %s.x', (major: Major) => {
	let double: GraphDoubleProcess;
	let n8n: N8nInstance;
	/** The triggers' alerts. */
	let alerts: WebhookSink;
	/** The example's Slack. */
	let slack: WebhookSink;

	const credential = (key: keyof typeof CRED, platform: 'instagram' | 'threads', accessToken: string, tokenRecord?: object): CredentialImport => ({
		...CRED[key],
		type: 'metaTokenApi',
		data: {
			platform,
			accessToken,
			appSecret: platform === 'instagram' ? IG_APP.secret : TH_APP.secret,
			graphApiVersion: 'v25.0',
			baseUrl: `${double.url}/${platform}`,
			...(tokenRecord ? { tokenRecord: JSON.stringify(tokenRecord) } : {}),
		},
	});

	const node = (name: string, platform: string, operation: string, key: keyof typeof CRED, extra: Record<string, unknown> = {}): WorkflowNode =>
		metaTokenNode(name, { platform, operation, ...extra }, CRED[key].id, {
			credentials: { metaTokenApi: CRED[key], ...(extra.saveToCredential ? { metaTokenN8nApi: N8N_API_CREDENTIAL } : {}) },
			onError: 'continueRegularOutput',
		});

	const trigger = (name: string, key: keyof typeof CRED): WorkflowNode => ({
		id: `00000000-0000-4000-9100-${String(name.length).padStart(12, '0')}`,
		name,
		type: META_TOKEN_TRIGGER_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: { pollTimes: { item: [{ mode: 'everyMinute' }] }, thresholds: '7,3,1', renewalUrl: '' },
		credentials: { metaTokenApi: CRED[key] },
	});

	const alertPost = () =>
		postJson('Post alert', alerts.url, { text: '={{ $json.message }}', event: '={{ $json.event }}', threshold: '={{ $json.threshold }}', credentialName: '={{ $json.credentialName }}' });

	beforeAll(async () => {
		double = await GraphDoubleProcess.start({ apps: [IG_APP, TH_APP], tokens: Object.values(TOKENS) });
		alerts = await WebhookSink.start();
		slack = await WebhookSink.start();
		n8n = await N8nInstance.create(n8nRuntime(major), packedTarball());
		await n8n.importCredentials([
			credential('igShort', 'instagram', token('igShort')),
			credential('thShort', 'threads', token('thShort')),
			credential('igLong', 'instagram', token('igLong')),
			credential('thLong', 'threads', token('thLong')),
			credential('igPasted', 'instagram', token('igPasted')),
			credential('igNear', 'instagram', token('igNear'), NEAR_RECORD),
			credential('igUnrecorded', 'instagram', token('igUnrecorded')),
			credential('igExample', 'instagram', token('igExample')),
			credential('igUnknown', 'instagram', IG_UNKNOWN),
		]);
		const save = major === 2 ? { saveToCredential: true, credentialId: '' } : {};
		const example = loadExample(EXAMPLES.selfRenewingInstagram, { metaTokenCredential: CRED.igExample, n8nApiCredential: N8N_API_CREDENTIAL, slackWebhookUrl: slack.url });
		const failing = loadExample(EXAMPLES.selfRenewingInstagram, { metaTokenCredential: CRED.igUnknown, n8nApiCredential: N8N_API_CREDENTIAL, slackWebhookUrl: slack.url });
		await n8n.importWorkflows([
			workflow(WF.igExchange, 'Instagram exchange', manualTrigger(), [[node('Exchange', 'instagram', 'exchange', 'igShort')]]),
			workflow(WF.thExchange, 'Threads exchange', manualTrigger(), [[node('Exchange', 'threads', 'exchange', 'thShort')]]),
			workflow(WF.igRefresh, 'Instagram refresh', manualTrigger(), [[node('Refresh', 'instagram', 'refreshLongLivedToken', 'igLong', save)]]),
			workflow(WF.thRefresh, 'Threads refresh', manualTrigger(), [[node('Refresh', 'threads', 'refreshLongLivedToken', 'thLong', save)]]),
			workflow(WF.inspect, 'Inspect each', manualTrigger(), [
				[node('Instagram recorded', 'instagram', 'inspect', 'igNear')],
				[node('Instagram pasted', 'instagram', 'inspect', 'igPasted')],
				[node('Instagram refreshed', 'instagram', 'inspect', 'igLong')],
				[node('Threads', 'threads', 'inspect', 'thLong')],
			]),
			workflow(WF.triggerNear, 'Alert: Instagram near expiry', trigger('Watch Acme', 'igNear'), [[alertPost()]]),
			workflow(WF.triggerUnknown, 'Alert: Instagram without record', trigger('Watch Shop', 'igUnrecorded'), [[alertPost()]]),
			example,
			{ ...failing, id: WF.exampleFailing, name: 'Self-renewing Instagram token, unknown token' },
		]);
		await n8n.activate(WF.triggerNear);
		await n8n.activate(WF.triggerUnknown);
		await n8n.start();
		await n8n.setupOwner();
		await n8n.addN8nApiCredential(N8N_API_CREDENTIAL);
	});

	afterAll(async () => {
		await n8n?.dispose();
		await double?.stop();
		await alerts?.stop();
		await slack?.stop();
		await stopAll();
	});

	const log = async (): Promise<LoggedRequest[]> => await double.requests();
	const callsWith = async (path: string, callingToken: string) => (await log()).filter((r) => r.path === path && r.callingToken === callingToken);

	/** What n8n holds, decrypted by its own CLI with this instance's key. */
	async function exportedCredentials(): Promise<Map<string, Exported>> {
		const file = join(n8n.userFolder, `export-${Date.now()}.json`);
		const result = await n8n.cli(['export:credentials', '--decrypted', '--all', `--output=${file}`]);
		if (result.code !== 0) throw new Error(result.output.slice(-4000));
		const list = JSON.parse(readFileSync(file, 'utf8')) as Exported[];
		return new Map(list.map((exported) => [exported.id, exported]));
	}

	async function run(id: string) {
		const result = await n8n.execute(id);
		if (!result.ok) throw new Error(result.output.slice(-4000));
		return result.run;
	}

	/** As the editor does it: the credential's data is tested as typed into the form. */
	async function testButton(data: Record<string, unknown>) {
		const saved = (await (await n8n.rest('POST', '/rest/credentials', { name: 'Under test', type: 'metaTokenApi', data })).json()) as { data?: { id?: string } };
		const response = await n8n.rest('POST', '/rest/credentials/test', { credentials: { id: String(saved.data?.id), name: 'Under test', type: 'metaTokenApi', data } });
		const text = await response.text();
		const body = JSON.parse(text) as { data?: { status: string; message: string } };
		if (!response.ok || !body.data) throw new Error(`POST /rest/credentials/test → ${response.status} ${text.slice(0, 500)}`);
		return body.data;
	}

	it("the Test button asks each platform's /me on the double, the token in the header", async () => {
		for (const [platform, name] of [['instagram', 'igPasted'], ['threads', 'thLong']] as const) {
			const before = (await log()).length;
			const data = credential(name, platform, token(name)).data;
			expect(await testButton(data)).toEqual({ status: 'OK', message: 'Connection successful!' });
			const sent = (await log()).slice(before).filter((r) => r.callingToken === token(name));
			expect(sent.map((r) => [r.platform, r.path, r.headers.authorization])).toEqual([[platform, '/me', `Bearer ${token(name)}`]]);
		}
		expect((await testButton(credential('igUnknown', 'instagram', IG_UNKNOWN).data)).status).toBe('Error');
	});

	it.each([
		['instagram', WF.igExchange, 'igShort', 'ig_exchange_token'],
		['threads', WF.thExchange, 'thShort', 'th_exchange_token'],
	] as const)('%s: Exchange turns the short-lived token into a long-lived one; the app secret goes only to its /access_token', async (platform, id, name, grant) => {
		const [item] = nodeItems(await run(id), 'Exchange');
		expect(item.error).toBeUndefined();
		// About 60 days (5183944 s) from now; without Save to Credential the new token is handed over.
		const days = (Date.parse(String(item.expiresAt)) - Date.now()) / 1000 / DAY;
		expect(days).toBeGreaterThan(59.9);
		expect(days).toBeLessThan(60.1);
		expect(String(item.accessToken)).toMatch(platform === 'instagram' ? /^IGAA/ : /^THAA/);
		expect(item.accessToken).not.toBe(token(name));
		expect(fingerprint(String(item.accessToken))).toBe(item.tokenFingerprint);
		const calls = await callsWith('/access_token', token(name));
		expect(calls).toHaveLength(1);
		expect(calls[0]).toMatchObject({ platform, method: 'GET', status: 200, query: { grant_type: grant } });
		// Of everything the double saw so far (Test, polls, other operations), the secret is in this call only.
		const secret = platform === 'instagram' ? IG_APP.secret : TH_APP.secret;
		const carrying = (await log()).filter((r) => JSON.stringify(r).includes(secret));
		expect(carrying).toEqual([calls[0]]);
	});

	if (major === 2) {
		it.each([
			['instagram', WF.igRefresh, 'igLong', 'ig_refresh_token', 'Instagram'],
			['threads', WF.thRefresh, 'thLong', 'th_refresh_token', 'Threads'],
		] as const)(
			'%s: Refresh Long-Lived Token saves the new token and its record; a second refresh the same hour is refused before sending',
			async (platform, id, name, grant, label) => {
				const [item] = nodeItems(await run(id), 'Refresh');
				expect(item).toMatchObject({ savedToCredentialId: CRED[name].id });
				expect(item.error).toBeUndefined();
				const [call] = await callsWith('/refresh_access_token', token(name));
				expect(call).toMatchObject({ platform, status: 200, query: { grant_type: grant } });
				expect(JSON.stringify(call)).not.toContain(platform === 'instagram' ? IG_APP.secret : TH_APP.secret);

				const stored = (await exportedCredentials()).get(CRED[name].id)?.data ?? {};
				const saved = String(stored.accessToken);
				expect(saved).not.toBe(token(name));
				expect(fingerprint(saved)).toBe(item.tokenFingerprint);
				const record = JSON.parse(String(stored.tokenRecord)) as { fingerprint: string; issuedAt: number; expiresAt: number };
				expect(record.fingerprint).toBe(item.tokenFingerprint);
				expect(Math.abs(record.issuedAt - nowSeconds())).toBeLessThan(600);
				expect(record.expiresAt - record.issuedAt).toBe(5_183_944);
				// The other fields are as they were.
				expect(stored).toMatchObject({ platform, appSecret: platform === 'instagram' ? IG_APP.secret : TH_APP.secret, baseUrl: `${double.url}/${platform}` });

				const [again] = nodeItems(await run(id), 'Refresh');
				expect(String((again.error as { message?: string } | undefined)?.message)).toMatch(
					new RegExp(`This ${label} token was minted less than 24 hours ago.*can be refreshed from .*Nothing was sent`),
				);
				expect(await callsWith('/refresh_access_token', saved)).toEqual([]);
				expect(JSON.stringify(again)).not.toContain(saved);
			},
		);
	} else {
		it.each([
			['instagram', WF.igRefresh, 'igLong', 'ig_refresh_token'],
			['threads', WF.thRefresh, 'thLong', 'th_refresh_token'],
		] as const)('%s: Refresh Long-Lived Token (without Save, which n8n 1.x cannot do) mints a new 60-day token', async (platform, id, name, grant) => {
			const [item] = nodeItems(await run(id), 'Refresh');
			expect(item.error).toBeUndefined();
			expect(item.tokenFingerprint).not.toBe(fingerprint(token(name)));
			const [call] = await callsWith('/refresh_access_token', token(name));
			expect(call).toMatchObject({ platform, status: 200, query: { grant_type: grant } });
		});
	}

	it("Inspect: an Instagram token's expiry as recorded, or unknown; a Threads token's from Meta (debug_token)", async () => {
		const result = await run(WF.inspect);
		const [recorded] = nodeItems(result, 'Instagram recorded');
		expect(recorded).toMatchObject({
			isValid: true,
			platform: 'instagram',
			expirySource: 'recorded',
			expiresAt: new Date(NEAR_RECORD.expiresAt * 1000).toISOString(),
			username: 'user_17841400000000001',
			tokenFingerprint: fingerprint(token('igNear')),
		});
		const [pasted] = nodeItems(result, 'Instagram pasted');
		expect(pasted).toMatchObject({ isValid: true, platform: 'instagram', expirySource: 'unknown', expiresAt: null, daysLeft: null });
		const [refreshed] = nodeItems(result, 'Instagram refreshed');
		// 2.x: the credential now holds the refreshed token and its record; 1.x: the original, unrecorded.
		expect(refreshed).toMatchObject(major === 2 ? { isValid: true, expirySource: 'recorded' } : { isValid: true, expirySource: 'unknown' });
		const [threads] = nodeItems(result, 'Threads');
		expect(threads).toMatchObject({ isValid: true, platform: 'threads', expirySource: 'meta', scopesKnown: true, scopes: ['threads_basic'] });
		expect(JSON.stringify(result).match(WHOLE_TOKEN) ?? []).toEqual([]);
		// Threads asked debug_token about the credential's token (on 2.x the refreshed one), that token the caller.
		const [debugCall] = (await log()).filter((r) => r.platform === 'threads' && r.path === '/debug_token');
		expect(debugCall.query.input_token).toBe(debugCall.callingToken);
		expect(fingerprint(String(debugCall.query.input_token))).toBe(threads.tokenFingerprint);
		if (major === 1) expect(debugCall.query.input_token).toBe(token('thLong'));
	});

	if (major === 2) {
		it('the Instagram example: the refresh saves and Slack stays silent; a token Meta does not know reaches Slack', async () => {
			const result = await run(WF.example);
			const [refreshed] = nodeItems(result, 'Refreshed');
			expect(refreshed).toMatchObject({ savedToCredentialId: CRED.igExample.id });
			expect(slack.messages).toHaveLength(0);
			const stored = (await exportedCredentials()).get(CRED.igExample.id)?.data ?? {};
			expect(fingerprint(String(stored.accessToken))).toBe(refreshed.tokenFingerprint);
			expect(JSON.parse(String(stored.tokenRecord))).toMatchObject({ fingerprint: refreshed.tokenFingerprint });
			expect(await callsWith('/refresh_access_token', token('igExample'))).toHaveLength(1);

			await run(WF.exampleFailing);
			await waitFor('the failure on Slack', async () => (slack.messages.length > 0 ? true : undefined), 30_000);
			expect(slack.texts()).toHaveLength(1);
			expect(slack.texts()[0]).toMatch(/^:warning: Refreshing the Instagram token failed: /);
			expect(slack.texts()[0]).not.toContain(IG_UNKNOWN);
			process.stdout.write(`n8n ${n8n.runtime.version} example's Slack: ${slack.texts()[0]}\n`);
			// Sent once, refused by Meta, not sent again; the credential keeps its token.
			expect(await callsWith('/refresh_access_token', IG_UNKNOWN)).toHaveLength(1);
			expect((await exportedCredentials()).get(CRED.igUnknown.id)?.data.accessToken).toBe(IG_UNKNOWN);
		});
	} else {
		it('the Instagram example on n8n 1.x: Slack hears that the save cannot be done, and nothing was sent to Meta', async () => {
			await run(WF.example);
			await waitFor('the failure on Slack', async () => (slack.messages.length > 0 ? true : undefined), 30_000);
			expect(slack.texts()).toHaveLength(1);
			expect(slack.texts()[0]).toMatch(/^:warning: Refreshing the Instagram token failed: .*no credential lookup or update endpoint.*Nothing was minted\./s);
			expect(await callsWith('/refresh_access_token', token('igExample'))).toEqual([]);
		});
	}

	it('the active triggers: the 7-day threshold once for the recorded token, expiryUnknown once for the other, across later polls', async () => {
		// Two polls of each (activation and the next minute's) have run or run now; then no repeat.
		const polls = async (name: 'igNear' | 'igUnrecorded') => (await callsWith('/me', token(name))).length;
		await waitFor(
			'two polls of each trigger',
			async () => ((await polls('igNear')) >= 2 + 1 && (await polls('igUnrecorded')) >= 2 ? true : undefined),
			150_000,
			2_000,
		);
		// Two polls, not one poll and its retry (1 s later): activation's, then the next minute's.
		const unrecordedCalls = await callsWith('/me', token('igUnrecorded'));
		expect(unrecordedCalls.at(-1)!.receivedMs - unrecordedCalls[0].receivedMs).toBeGreaterThan(5_000);
		await waitFor('the alerts to be posted', async () => (alerts.messages.length >= 2 ? true : undefined), 30_000);
		const bodies = alerts.messages.map((m) => m.body as Record<string, string>);
		expect(bodies).toHaveLength(2);
		const near = bodies.find((body) => body.credentialName === CRED.igNear.name);
		const unknown = bodies.find((body) => body.credentialName === CRED.igUnrecorded.name);
		expect(near?.event).toBe('expiring');
		expect(String(near?.threshold)).toBe('7');
		expect(near?.text).toMatch(/expires in 5 days/);
		expect(unknown).toMatchObject({ event: 'expiryUnknown' });
		expect(unknown?.text).toMatch(/its expiry is unknown\. Instagram does not tell when this token expires/);
		expect(JSON.stringify(bodies).match(WHOLE_TOKEN) ?? []).toEqual([]);
		process.stdout.write(`n8n ${n8n.runtime.version} platform trigger alerts:\n  ${alerts.texts().join('\n  ')}\n`);
	});
});
