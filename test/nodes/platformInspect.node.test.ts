/**
 * Inspect and Check for Alerts of the Meta Token node on Instagram and Threads credentials, run in
 * n8n-core's ExecuteContext over real HTTP (through the credential's `authenticate`) against a
 * loopback stand-in of their hosts (test/support/platformStandIn.ts): what each record says and
 * where from, one call per distinct token and no batch, and "expiry unknown" said once.
 */
import type { IDataObject } from 'n8n-workflow';

import { MetaToken } from '../../nodes/MetaToken/MetaToken.node';
import { tokenFingerprint } from '../../nodes/policy/tokenIdentity';
import { formatTokenRecord, recordMintedToken } from '../../nodes/policy/tokenRecord';
import { runNode, type CredentialStore } from '../../tools/n8n-harness/n8nHarness';
import { fakeDateOnly } from '../support/fakeDate';
import { PlatformStandIn } from '../support/platformStandIn';

/** Paths without their version: Threads' is fixed by the platform (v1.0), Instagram's the credential's. */
const paths = () => meta.requests.map((request) => `${request.method} ${request.path.replace(/^\/v\d+\.\d+/, '')}`);

const NOW = Date.UTC(2026, 5, 1) / 1000;
const DAY = 86_400;
const node = new MetaToken();
let meta: PlatformStandIn;

beforeAll(async () => {
	meta = new PlatformStandIn(NOW - 10 * DAY);
	await meta.start();
});
afterAll(async () => await meta.stop());
beforeEach(() => {
	meta.requests.length = 0;
	meta.now = NOW - 10 * DAY;
	fakeDateOnly(NOW * 1000);
});
afterEach(() => jest.useRealTimers());

function credentials(platform: string, accessToken: string, tokenRecord = ''): CredentialStore {
	return { metaTokenApi: { accessToken, platform, tokenRecord, baseUrl: meta.url, graphApiVersion: 'v25.0' } };
}

/** Minted 10 days ago by this package: its record is in the credential beside it. */
function minted(name: string, opts: { tester?: boolean; prefix?: string } = {}) {
	const { token, expiresIn } = meta.mint(name, opts);
	return { token, record: formatTokenRecord(recordMintedToken(token, meta.now * 1000, expiresIn)) };
}

async function inspect(platform: string, credentialToken: { token: string; record?: string }, items?: IDataObject[]) {
	meta.now = NOW;
	const parameters: IDataObject = { platform, operation: 'inspect' };
	if (items) Object.assign(parameters, { tokenSource: 'input', token: '={{ $json.token }}' });
	const output = await runNode(node, {
		parameters,
		items,
		credentials: credentials(platform, credentialToken.token, credentialToken.record),
		continueOnFail: true,
	});
	return output.map((item) => item.json);
}

describe('Inspect on an Instagram credential', () => {
	it("the credential's own token, minted by this package: valid, its expiry recorded, its username", async () => {
		const own = minted('own');
		const [record] = await inspect('instagram', own);
		expect(record).toMatchObject({
			isValid: true,
			status: 'valid',
			neverExpires: false,
			userId: '17841400000000001',
			username: 'acme.shoes',
			platform: 'instagram',
			expirySource: 'recorded',
			scopesKnown: false,
			issuedAt: new Date((NOW - 10 * DAY) * 1000).toISOString(),
			expiresAt: new Date((NOW + 50 * DAY) * 1000).toISOString(),
			daysLeft: 50,
			tokenFingerprint: tokenFingerprint(own.token),
		});
		expect(meta.requests).toEqual([{ method: 'GET', path: '/v25.0/me' }]);
	});

	it('tokens from the input: the recorded one, an unrecorded one (expiry unknown, said so), a dead one — one /me each', async () => {
		const own = minted('own');
		const other = meta.mint('pasted').token;
		const records = await inspect('instagram', own, [
			{ token: own.token },
			{ token: other },
			{ token: 'IGAAneverIssued0000000000000000' },
			{ token: other },
		]);
		expect(records.map((record) => [record.status, record.expirySource, record.expiresAt === null])).toEqual([
			['valid', 'recorded', false],
			['valid', 'unknown', true],
			['invalid', 'unknown', true],
			['valid', 'unknown', true],
		]);
		expect(records[1]).toMatchObject({ neverExpires: false, daysLeft: null, effectiveExpiresAt: null });
		// One call per distinct token, never a batch; no token in any output.
		expect(meta.requests).toHaveLength(3);
		expect(meta.requests.every((request) => request.method === 'GET' && request.path === '/v25.0/me')).toBe(true);
		expect(JSON.stringify(records)).not.toContain(other);
	});
});

describe('Inspect on a Threads credential', () => {
	it("a tester's token: debug_token tells validity, expiry and scopes (source: meta)", async () => {
		const own = minted('tester', { tester: true, prefix: 'THAA' });
		const [record] = await inspect('threads', { token: own.token });
		expect(record).toMatchObject({
			platform: 'threads',
			expirySource: 'meta',
			scopesKnown: true,
			scopes: ['threads_basic', 'threads_content_publish'],
			expiresAt: new Date((NOW + 50 * DAY) * 1000).toISOString(),
		});
		expect(paths()).toEqual(['GET /debug_token']);
	});

	it("another user's token: debug_token refused, /me says it works; the record gives the expiry", async () => {
		const own = minted('user', { prefix: 'THAA' });
		const [record] = await inspect('threads', own);
		expect(record).toMatchObject({ isValid: true, expirySource: 'recorded', scopesKnown: false, username: 'acme.shoes' });
		expect(paths()).toEqual(['GET /debug_token', 'GET /me']);
	});
});

describe('Check for Alerts on an Instagram credential', () => {
	it('a token whose expiry nothing tells: Expiry Unknown once, not at every run', async () => {
		const pasted = meta.mint('pasted').token;
		meta.now = NOW;
		const staticData: IDataObject = {};
		const run = async () =>
			(
				await runNode(node, {
					parameters: { platform: 'instagram', operation: 'checkAlerts', tokenName: 'Acme IG' },
					credentials: credentials('instagram', pasted),
					mode: 'trigger',
					staticData,
				})
			).map((item) => item.json);
		const first = await run();
		expect(first).toHaveLength(1);
		expect(first[0]).toMatchObject({ event: 'expiryUnknown', tokenName: 'Acme IG', expirySource: 'unknown', platform: 'instagram' });
		expect(await run()).toEqual([]);
	});
});
