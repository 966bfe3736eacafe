/**
 * The Graph API endpoints this package uses, one method each: what to ask and with which token.
 * Sending, retrying and pacing are the sender's (sender.ts), batching the batch runner's
 * (batch.ts), reading the answers answers.ts's; this file only puts them together per endpoint.
 */
import { accessTokenAnswerOf, debugDataOf, pageAccountsOf, requireSuccess, type AnswerContext } from './answers';
import { BatchRun, type BatchOptions } from './batch';
import { GraphError } from './GraphError';
import { inspectPlatformToken } from './platformInspect';
import { assertPlatformHost, exchangeRefusal, isRefreshablePlatform, platformExchangeRequest, platformRefreshRequest, refreshRefusal } from './platformTokens';
import { GraphSender, type GraphCallRequest, type GraphSenderOptions } from './sender';
import { appCredentials, appToken } from '../meta/token';
import { PLATFORM_FACTS, type MetaPlatform } from '../meta/platform';
import type { AccessTokenAnswer, DebugTokenData, Inspection, PageAccount } from '../meta/types';

export interface GraphClientOptions extends GraphSenderOptions {
	/** Needed to exchange, refresh and revoke tokens, and for the app token. */
	appId?: string;
	appSecret?: string;
	/** Which Meta host the client speaks to (meta/platform.ts); default facebook. */
	platform?: MetaPlatform;
}

/** Batched inspections fed one token at a time: see {@link GraphClient.debugTokenRun}. */
export interface DebugTokenRun {
	/** Queues a token; its result comes once its batch is answered (never self-inspected). */
	inspect(token: string): Promise<Inspection<GraphError>>;
	/** No more tokens: resolves once every queued one has its result. */
	close(): Promise<void>;
}

const DEFAULT_PAGE_SIZE = 100;
/** Far beyond any real account list; stops a server that keeps paging forever. */
const MAX_PAGES = 100;
const PAGE_FIELDS = 'id,name,category,access_token,tasks';

/**
 * Speaks to the Graph API through an injected transport, and never lets a secret out in an error
 * or a log line: the app secret and app token are added to the secrets the sender scrubs.
 */
export class GraphClient {
	private readonly appId?: string;
	private readonly appSecret?: string;
	private readonly knownSecrets: string[];
	private readonly sender: GraphSender;
	readonly platform: MetaPlatform;
	private readonly baseUrl: string;

	constructor(options: GraphClientOptions) {
		this.platform = options.platform ?? 'facebook';
		const facts = PLATFORM_FACTS[this.platform];
		// Without a Base URL a client speaks to its own platform's host, never Facebook's by default:
		// an Instagram token must not reach graph.facebook.com because a caller forgot one.
		this.baseUrl = options.baseUrl?.trim() || facts.origin;
		({ appId: this.appId, appSecret: this.appSecret } = appCredentials(options));
		this.knownSecrets = [this.appSecret, this.appToken(), ...(options.secrets ?? []).map((secret) => secret.trim())]
			.filter((secret): secret is string => typeof secret === 'string' && secret !== '');
		this.sender = new GraphSender({
			...options,
			baseUrl: this.baseUrl,
			version: facts.fixedVersion ?? options.version,
			secrets: this.knownSecrets,
		});
	}

	/** `app-id|app-secret`, when both are known. */
	appToken(): string | undefined {
		return appToken(this.appId, this.appSecret);
	}

	/** Every secret this client knows (app secret, app token, the ones it was given): kept out of every message. */
	secrets(): string[] {
		return [...this.knownSecrets];
	}

	/**
	 * Inspects a token, by default with the app token (it can inspect tokens that already died).
	 * A dead input token is an answer (`is_valid: false`), not an error.
	 */
	async debugToken(inputToken: string, opts: { accessToken?: string } = {}): Promise<DebugTokenData> {
		const data = await this.ask(
			{
				effect: 'idempotent',
				method: 'GET',
				path: '/debug_token',
				qs: { input_token: inputToken },
				accessToken: opts.accessToken ?? this.appToken(),
			},
			debugDataOf,
		);
		if (data instanceof GraphError) throw data;
		return data;
	}

	/**
	 * Inspects one token with the app token when the credential has one, else with itself (then a
	 * refusal may be the token's own death: `selfInspected`). Never throws: a failure is the answer.
	 */
	async inspectToken(token: string): Promise<Inspection> {
		// Instagram and Threads tokens inspect themselves, one call each (platformInspect.ts), and
		// only on their own host.
		if (this.platform !== 'facebook') {
			try {
				assertPlatformHost(this.baseUrl, this.platform);
			} catch (error) {
				return { ok: false, error, selfInspected: false };
			}
			return await inspectPlatformToken(this.sender, this.platform, token);
		}
		const app = this.appToken();
		try {
			return { ok: true, data: await this.debugToken(token, { accessToken: app ?? token }) };
		} catch (error) {
			return { ok: false, error, selfInspected: app === undefined };
		}
	}

	/**
	 * A run of batched inspections fed one token at a time, so that the first batch calls leave
	 * while the caller still reads later tokens (see {@link BatchRun}); `close` once all are in.
	 */
	debugTokenRun(opts: BatchOptions = {}): DebugTokenRun {
		this.requireFacebook('inspect tokens in Graph batches');
		const accessToken = opts.accessToken ?? this.appToken();
		const run = new BatchRun(this.sender, { ...opts, accessToken });
		const secrets = this.sender.secretsOf({ accessToken });
		return {
			inspect: async (token) => {
				const result = await run.add({
					method: 'GET',
					relativeUrl: `debug_token?${new URLSearchParams({ input_token: token }).toString()}`,
					secrets: [token],
				});
				if (!result.ok) return { ...result, selfInspected: false };
				// An answer can only echo its own input token (and the caller's): scrubbing each one for
				// every input token would cost O(N²) over thousands of tokens.
				const data = debugDataOf(result.body, { secrets: [...secrets, token], nowMs: this.sender.now() });
				return data instanceof GraphError ? { ok: false, error: data, selfInspected: false } : { ok: true, data };
			},
			close: async () => await run.close(),
		};
	}

	/** Exchanges a short-lived user token for a long-lived one (about 60 days), with the platform's grant. */
	async exchangeToken(shortLivedToken: string): Promise<AccessTokenAnswer> {
		const { platform } = this;
		if (!isRefreshablePlatform(platform)) return await this.exchange(shortLivedToken, 'exchange a token', {});
		assertPlatformHost(this.baseUrl, platform);
		const appSecret = this.requireSecret(`exchange ${PLATFORM_FACTS[platform].label} tokens`);
		try {
			return await this.ask(platformExchangeRequest(platform, shortLivedToken, appSecret), accessTokenAnswerOf);
		} catch (error) {
			throw exchangeRefusal(error, platform);
		}
	}

	/** Refreshes a long-lived Instagram or Threads token for another 60 days (Meta's refusal worded). */
	async refreshLongLivedToken(token: string): Promise<AccessTokenAnswer> {
		const { platform } = this;
		if (!isRefreshablePlatform(platform)) {
			throw new GraphError({
				errorClass: 'badRequest',
				summary: 'Facebook user tokens cannot be refreshed by API, so nothing was sent.',
				description:
					'Exchange a new short-lived token for a long-lived one, or use a system-user token (Refresh System-User Token renews expiring ones).',
				neverReachedMeta: true,
			});
		}
		assertPlatformHost(this.baseUrl, platform);
		try {
			return await this.ask(platformRefreshRequest(platform, token), accessTokenAnswerOf);
		} catch (error) {
			throw refreshRefusal(error, platform);
		}
	}

	/** Renews an expiring system-user token for another 60 days; the old one keeps its own expiry. */
	async refreshSystemUserToken(token: string): Promise<AccessTokenAnswer> {
		this.requireFacebook('refresh a system-user token');
		return await this.exchange(token, 'refresh a system-user token', {
			set_token_expires_in_60_days: 'true',
		});
	}

	/**
	 * Generates a system-user token. Meta always demands an appsecret_proof on this call, which the
	 * authenticator adds from the credential's App Secret: without it the call cannot succeed, so it
	 * is refused up front.
	 */
	async generateSystemUserToken(opts: {
		systemUserId: string;
		scopes: string[];
		expiring: boolean;
		adminToken?: string;
	}): Promise<AccessTokenAnswer> {
		this.requireFacebook('generate a system-user token');
		const { appId } = this.requireApp('generate a system-user token');
		const systemUserId = opts.systemUserId.trim();
		const scopes = opts.scopes.map((scope) => scope.trim()).filter((scope) => scope !== '');
		if (systemUserId === '' || scopes.length === 0) {
			throw new GraphError({
				errorClass: 'badRequest',
				summary: 'A system-user token needs a system user and at least one permission.',
				description:
					'Fill in the system user ID (Business Settings → Users → System users) and the permissions (scopes) the token should carry.',
			});
		}
		const form: Record<string, string> = { business_app: appId, scope: scopes.join(',') };
		if (opts.expiring) form.set_token_expires_in_60_days = 'true';
		return await this.ask(
			{
				// Each processed call creates another token: see CallEffect.
				effect: 'minting',
				method: 'POST',
				path: `/${encodeURIComponent(systemUserId)}/access_tokens`,
				form,
				accessToken: opts.adminToken,
			},
			accessTokenAnswerOf,
		);
	}

	/**
	 * Pages the token's user can act on, with their Page tokens. Follows the `after` cursor on our
	 * own URL — never Meta's `paging.next`, which carries the access token in its query string.
	 */
	async getPageAccounts(opts: { accessToken?: string; pageSize?: number } = {}): Promise<PageAccount[]> {
		this.requireFacebook('list Page tokens');
		const pageSize = Math.max(1, Math.floor(opts.pageSize ?? DEFAULT_PAGE_SIZE));
		const accounts: PageAccount[] = [];
		const seenCursors = new Set<string>();
		let after: string | undefined;
		for (let page = 0; page < MAX_PAGES; page++) {
			const qs: Record<string, string> = { fields: PAGE_FIELDS, limit: String(pageSize) };
			if (after !== undefined) qs.after = after;
			const request: GraphCallRequest = {
				effect: 'idempotent',
				method: 'GET',
				path: '/me/accounts',
				qs,
				accessToken: opts.accessToken,
			};
			const answer = await this.ask(request, pageAccountsOf);
			accounts.push(...answer.accounts);
			after = answer.after;
			// A cursor seen before would only repeat pages already read.
			if (after === undefined || seenCursors.has(after)) break;
			seenCursors.add(after);
		}
		return accounts;
	}

	/** De-authorises the app for the token's user (`DELETE /me/permissions`). */
	async revokeUserToken(token?: string): Promise<void> {
		this.requireFacebook('revoke a user token');
		await this.ask(
			{ effect: 'idempotent', method: 'DELETE', path: '/me/permissions', accessToken: token },
			requireSuccess,
		);
	}

	/** Revokes a system-user token; the call runs with `opts.accessToken` or the credential's token. */
	async revokeSystemUserToken(token: string, opts: { accessToken?: string } = {}): Promise<void> {
		this.requireFacebook('revoke a system-user token');
		const { appId, appSecret } = this.requireApp('revoke a system-user token');
		await this.ask(
			{
				effect: 'idempotent',
				method: 'GET',
				path: '/oauth/revoke',
				qs: { client_id: appId, client_secret: appSecret, revoke_token: token },
				accessToken: opts.accessToken,
			},
			requireSuccess,
		);
	}

	/** Sends one call and reads its answer; `read` words a bad shape with the call's secrets. */
	private async ask<T>(request: GraphCallRequest, read: (body: unknown, context: AnswerContext) => T): Promise<T> {
		const secrets = this.sender.secretsOf(request);
		const { body } = await this.sender.send(request, secrets);
		return read(body, { secrets, nowMs: this.sender.now() });
	}

	private async exchange(
		token: string,
		action: string,
		extra: Record<string, string>,
	): Promise<AccessTokenAnswer> {
		const { appId, appSecret } = this.requireApp(action);
		return await this.ask(
			{
				// Each processed exchange hands out a new token: see CallEffect.
				effect: 'minting',
				method: 'GET',
				path: PLATFORM_FACTS.facebook.exchangePath,
				qs: {
					grant_type: PLATFORM_FACTS.facebook.exchangeGrant,
					client_id: appId,
					client_secret: appSecret,
					fb_exchange_token: token,
					...extra,
				},
				// The token being exchanged signs the call: the credential's own token may be the dead one.
				accessToken: token,
			},
			accessTokenAnswerOf,
		);
	}

	/** Instagram and Threads need only the app secret (their own app's) to exchange. */
	/**
	 * Refuses, before anything is sent, what only Facebook's Graph host does (system users, Pages,
	 * batches, revoking) on a client for another platform: the router offers no such operation
	 * there, and a token must never be sent where it cannot mean anything.
	 */
	private requireFacebook(action: string): void {
		if (this.platform === 'facebook') return;
		throw new GraphError({
			errorClass: 'badRequest',
			summary: `Only Facebook tokens can ${action}; this client speaks to ${PLATFORM_FACTS[this.platform].label}'s host, so nothing was sent.`,
			description: "Use a Meta Token API credential whose Platform is Facebook for this operation.",
			neverReachedMeta: true,
		});
	}

	private requireSecret(action: string): string {
		if (this.appSecret) return this.appSecret;
		throw new GraphError({
			errorClass: 'badRequest',
			summary: `To ${action}, the credential needs the app's App Secret.`,
			description: "Fill in 'App Secret' in the credential (App Dashboard → your app's Instagram or Threads settings).",
		});
	}

	private requireApp(action: string): { appId: string; appSecret: string } {
		const missing: string[] = [];
		if (!this.appId) missing.push('App ID');
		if (!this.appSecret) missing.push('App Secret');
		if (this.appId && this.appSecret) return { appId: this.appId, appSecret: this.appSecret };
		const fields = missing.map((field) => `'${field}'`).join(' and ');
		throw new GraphError({
			errorClass: 'badRequest',
			summary: `To ${action}, the credential needs the Meta app's ${missing.join(' and ')}.`,
			description: `Fill in ${fields} in the credential (App Dashboard → Settings → Basic).`,
		});
	}
}
