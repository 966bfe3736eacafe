/**
 * A loopback stand-in for the parts of graph.instagram.com and graph.threads.net that inspecting a
 * token reads, on its own clock, answering as Meta's pages show:
 * - `GET /{version}/me?fields=…` (Instagram API with Instagram Login; Threads' user node): the
 *   user of a working token;
 * - `GET /v1.0/debug_token?input_token=…` (Threads, troubleshooting/debug-access-token): the
 *   token's data when the caller is one of the app's Threads testers, else "(#10) … permission";
 * - an expired token: OAuthException 190/463; a token Meta never issued: 190.
 * The token is read from `Authorization: Bearer` only. Until the Graph double (tools/graph-double)
 * serves these hosts, this is what the node and trigger tests of Instagram and Threads run against.
 */
import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';

/** What Meta says an Instagram or Threads long-lived token lives (`expires_in` of exchange and refresh). */
export const LONG_LIVED_SECONDS = 60 * 86_400;

interface IssuedToken {
	expiresAt: number;
	issuedAt: number;
	/** Threads: whether the token's user is a tester of the app (debug_token answers only then). */
	tester: boolean;
}

type Answer = [status: number, body: unknown];

export class PlatformStandIn {
	/** Every token Meta issued. */
	readonly tokens = new Map<string, IssuedToken>();
	/** Unix seconds. */
	now: number;
	meCalls = 0;
	debugTokenCalls = 0;
	/** Every request: method and path (no query: it may hold a token). */
	readonly requests: Array<{ method: string; path: string }> = [];
	url = '';
	private server: Server | undefined;

	constructor(now: number) {
		this.now = now;
	}

	async start(): Promise<void> {
		this.server = createServer((request, response) => {
			const url = new URL(request.url ?? '/', 'http://localhost');
			this.requests.push({ method: request.method ?? '', path: url.pathname });
			const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
			const [status, body] = this.answer(request.method ?? '', url, token);
			response.writeHead(status, { 'content-type': 'application/json' });
			response.end(JSON.stringify(body));
		});
		await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
		this.url = `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
	}

	async stop(): Promise<void> {
		await new Promise<void>((resolve) => this.server?.close(() => resolve()));
	}

	/** `ig_exchange_token` / `ig_refresh_token` (or Threads'): a new token, 60 days from now. */
	mint(name: string, opts: { tester?: boolean; prefix?: string } = {}): { token: string; expiresIn: number } {
		const token = `${opts.prefix ?? 'IGAA'}${name}${'x'.repeat(120)}${this.tokens.size}`;
		this.tokens.set(token, { issuedAt: this.now, expiresAt: this.now + LONG_LIVED_SECONDS, tester: opts.tester ?? false });
		return { token, expiresIn: LONG_LIVED_SECONDS };
	}

	private answer(method: string, url: URL, token: string | undefined): Answer {
		const path = url.pathname;
		if (method !== 'GET' || !/^\/v\d+\.\d+\/(me|debug_token)$/.test(path)) {
			return [400, { error: { message: 'Unsupported request', type: 'IGApiException', code: 100 } }];
		}
		const caller = token === undefined ? undefined : this.tokens.get(token);
		const refusal = this.refusal(caller);
		if (refusal) return refusal;
		const issued = caller as IssuedToken;
		if (path.endsWith('/me')) {
			this.meCalls += 1;
			return [200, { user_id: '17841400000000001', username: 'acme.shoes', id: '9001' }];
		}
		this.debugTokenCalls += 1;
		if (!issued.tester) {
			return [403, { error: { message: '(#10) Application does not have permission for this action', type: 'OAuthException', code: 10 } }];
		}
		return [
			200,
			{
				data: {
					type: 'USER',
					application: 'Acme Threads',
					is_valid: true,
					issued_at: issued.issuedAt,
					expires_at: issued.expiresAt,
					data_access_expires_at: issued.issuedAt + 90 * 86_400,
					scopes: ['threads_basic', 'threads_content_publish'],
					user_id: '26000000000000001',
				},
			},
		];
	}

	private refusal(caller: IssuedToken | undefined): Answer | undefined {
		if (caller === undefined) {
			return [400, { error: { message: 'Invalid OAuth access token - Cannot parse access token', type: 'OAuthException', code: 190 } }];
		}
		if (caller.expiresAt <= this.now) {
			return [
				400,
				{
					error: {
						message: `Error validating access token: Session has expired on ${new Date(caller.expiresAt * 1000).toUTCString()}.`,
						type: 'OAuthException',
						code: 190,
						error_subcode: 463,
					},
				},
			];
		}
		return undefined;
	}
}
