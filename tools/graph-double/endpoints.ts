/**
 * The Graph API endpoints the double serves: a parsed request in, an answer out, the token table
 * updated on the way. Transport concerns (faults, latency, quota, batch, logging) live in GraphDouble;
 * the one Marketing API endpoint (ad insights) in ads.ts.
 */
import { appsecretProof, timestampedAppsecretProof } from '../../nodes/graph/proof';
import { insights, insightsAccount } from './ads';
import {
	badClientSecret,
	defaultMessage,
	errorAnswer,
	invalidParameter,
	jsonAnswer,
	missingParameter,
	missingToken,
	proofInvalid,
	proofMissing,
	unsupportedRequest,
} from './errors';
import type { Answer, DoubleApp, DoublePage, GraphRequest, StoredToken } from './model';
import { SIXTY_DAYS, TokenStore, unresolvedDebugData, unresolvedError } from './tokens';

/** Timestamped proofs are accepted this many seconds either side of the double's clock. */
const PROOF_WINDOW = 300;
const DEFAULT_PAGE_SIZE = 25;
const MAX_PAGE_SIZE = 100;

type Result<T> = { ok: true; value: T } | { ok: false; answer: Answer };

const fail = (answer: Answer): { ok: false; answer: Answer } => ({ ok: false, answer });

/** Opaque paging cursor, base64 like Meta's. */
const cursorOf = (page: DoublePage): string => Buffer.from(page.id).toString('base64url');

export class GraphApi {
	constructor(
		private readonly store: TokenStore,
		private readonly now: () => number,
		private readonly baseUrl: () => string,
	) {}

	/** Routes one versioned call. The batch endpoint is GraphDouble's, as it re-enters the pipeline. */
	handle(request: GraphRequest): Answer {
		const { method, path, params } = request;
		// The OAuth endpoint authenticates with client_id/client_secret: any calling token is ignored.
		if (path === '/oauth/access_token' && (method === 'GET' || method === 'POST')) {
			return this.accessToken(params);
		}
		const systemUser = method === 'POST' ? /^\/([^/]+)\/access_tokens$/.exec(path) : null;
		const auth = this.authorize(request, systemUser !== null);
		if (!auth.ok) return auth.answer;
		const caller = auth.value;
		if (method === 'GET' && path === '/debug_token') return this.debugToken(params, caller);
		if (systemUser) return this.systemUserToken(systemUser[1], params, caller);
		if (method === 'GET' && path === '/me/accounts') return this.accounts(request, caller);
		if (method === 'GET' && insightsAccount(path) !== null) return insights(request, caller, this.now());
		if (method === 'DELETE' && path === '/me/permissions') return this.deauthorize(caller);
		if ((method === 'GET' || method === 'POST') && path === '/oauth/revoke') return this.revoke(params);
		return unsupportedRequest(method, path);
	}

	/** The calling token must be alive, and proven when the app or the endpoint demands it. */
	authorize(request: GraphRequest, proofRequired = false): Result<StoredToken> {
		if (!request.callingToken) return fail(missingToken());
		const token = this.store.lookup(request.callingToken);
		if (typeof token === 'string') return fail(errorAnswer(400, unresolvedError(token)));
		const dead = this.store.deadError(token);
		if (dead) return fail(errorAnswer(400, dead));
		const app = this.store.app(token.appId) as DoubleApp;
		const proofError = this.checkProof(request.params, token, app, proofRequired);
		return proofError ? fail(proofError) : { ok: true, value: token };
	}

	private checkProof(
		params: Record<string, string>,
		token: StoredToken,
		app: DoubleApp,
		required: boolean,
	): Answer | null {
		const proof = params.appsecret_proof;
		if (proof === undefined) {
			// App tokens carry the secret themselves, so "Require App Secret" does not apply to them.
			const mustProve = required || (app.requireAppSecret === true && token.type !== 'APP');
			return mustProve ? proofMissing() : null;
		}
		if (params.appsecret_time === undefined) {
			return proof === appsecretProof(app.secret, token.token) ? null : proofInvalid();
		}
		const time = Number(params.appsecret_time);
		const fresh = Number.isInteger(time) && Math.abs(this.now() - time) <= PROOF_WINDOW;
		const valid = fresh && proof === timestampedAppsecretProof(app.secret, token.token, time);
		return valid ? null : proofInvalid();
	}

	/** A dead or unknown input token is not an error of the call: HTTP 200 with is_valid false. */
	private debugToken(params: Record<string, string>, caller: StoredToken): Answer {
		const input = params.input_token;
		if (!input) return missingParameter('input_token');
		const token = this.store.lookup(input);
		if (typeof token === 'string') return jsonAnswer({ data: unresolvedDebugData(token) });
		if (token.appId !== caller.appId) {
			return invalidParameter('(#100) The App_id in the input_token did not match the Viewing App');
		}
		return jsonAnswer({ data: this.store.debugData(token) });
	}

	private client(params: Record<string, string>): Result<DoubleApp> {
		if (!params.client_id) return fail(missingParameter('client_id'));
		if (!params.client_secret) return fail(missingParameter('client_secret'));
		const app = this.store.app(params.client_id);
		if (!app || app.secret !== params.client_secret) return fail(badClientSecret());
		return { ok: true, value: app };
	}

	private accessToken(params: Record<string, string>): Answer {
		const client = this.client(params);
		if (!client.ok) return client.answer;
		const app = client.value;
		switch (params.grant_type) {
			case 'client_credentials':
				return jsonAnswer({ access_token: `${app.id}|${app.secret}`, token_type: 'bearer' });
			case 'fb_exchange_token':
				return this.exchange(params, app);
			case undefined:
				return missingParameter('grant_type');
			default:
				return invalidParameter(`(#100) Unsupported grant_type: ${params.grant_type}`);
		}
	}

	/**
	 * Always a new string. Only a short-lived user token, or a system-user token sent with
	 * set_token_expires_in_60_days, gets a new 60-day expiry; anything else keeps its own (a
	 * long-lived user token is renewed only by a fresh login). A never-expiring system-user token
	 * sent through that refresh comes back expiring, as at Meta.
	 */
	private exchange(params: Record<string, string>, app: DoubleApp): Answer {
		const input = params.fb_exchange_token;
		if (!input) return missingParameter('fb_exchange_token');
		const token = this.store.lookup(input);
		if (typeof token === 'string') return errorAnswer(400, unresolvedError(token));
		const dead = this.store.deadError(token);
		if (dead) return errorAnswer(400, dead);
		if (token.appId !== app.id) {
			return invalidParameter(`(#100) The access token does not belong to application ${app.id}`);
		}
		if (token.type === 'APP') return invalidParameter('(#100) App access tokens cannot be exchanged');
		const now = this.now();
		const refreshSystemUser = token.type === 'SYSTEM_USER' && params.set_token_expires_in_60_days === 'true';
		const extend = refreshSystemUser || this.store.isShortLivedUser(token);
		const expiresAt = extend ? now + SIXTY_DAYS : (token.expiresAt ?? 0);
		const renewed = this.store.add({
			type: token.type,
			appId: token.appId,
			userId: token.userId,
			profileId: token.profileId,
			scopes: token.scopes,
			granularScopes: token.granularScopes,
			dataAccessExpiresAt: token.dataAccessExpiresAt,
			expiringSystemUser: refreshSystemUser || token.expiringSystemUser,
			pages: token.pages,
			// Not extended = the same session: keeping issued_at keeps it long-lived for the next exchange.
			issuedAt: extend ? now : token.issuedAt,
			expiresAt,
		});
		return jsonAnswer({
			access_token: renewed.token,
			token_type: 'bearer',
			...(expiresAt === 0 ? {} : { expires_in: expiresAt - now }),
		});
	}

	private systemUserToken(
		systemUserId: string,
		params: Record<string, string>,
		caller: StoredToken,
	): Answer {
		const appId = params.business_app;
		if (!appId) return missingParameter('business_app');
		if (caller.appId !== appId) {
			return invalidParameter(`(#100) The access token does not belong to application ${appId}`);
		}
		if (caller.type !== 'USER' && caller.type !== 'SYSTEM_USER') {
			return errorAnswer(403, { code: 200, message: defaultMessage(200) });
		}
		if (!params.scope) return missingParameter('scope');
		const expiring = params.set_token_expires_in_60_days === 'true';
		const created = this.store.add({
			type: 'SYSTEM_USER',
			appId,
			userId: systemUserId,
			scopes: params.scope
				.split(',')
				.map((scope) => scope.trim())
				.filter((scope) => scope !== ''),
			expiringSystemUser: expiring,
			expiresAt: expiring ? this.now() + SIXTY_DAYS : 0,
		});
		return jsonAnswer({ access_token: created.token });
	}

	/**
	 * Pages of a USER (or SYSTEM_USER) token, paged like Meta: `paging.next` is an absolute URL that
	 * carries the access token in its query string, so clients must not log or follow it blindly.
	 */
	private accounts(request: GraphRequest, caller: StoredToken): Answer {
		if (caller.type === 'APP') return missingToken();
		if (caller.type === 'PAGE') {
			return invalidParameter('(#100) Tried accessing nonexisting field (accounts) on node type (Page)');
		}
		const { limit, after, fields } = request.params;
		const pages = caller.pages ?? [];
		const requested = Number(limit);
		const pageSize =
			Number.isInteger(requested) && requested > 0
				? Math.min(requested, MAX_PAGE_SIZE)
				: DEFAULT_PAGE_SIZE;
		let start = 0;
		if (after !== undefined) {
			const index = pages.findIndex((page) => cursorOf(page) === after);
			if (index < 0) return invalidParameter('(#100) The after cursor is invalid');
			start = index + 1;
		}
		const slice = pages.slice(start, start + pageSize);
		const wanted = fields ? new Set(fields.split(',').map((field) => field.trim())) : null;
		const data = slice.map((page) => this.account(caller, page, wanted));
		if (slice.length === 0) return jsonAnswer({ data });
		const paging: { cursors: { before: string; after: string }; next?: string } = {
			cursors: { before: cursorOf(slice[0]), after: cursorOf(slice[slice.length - 1]) },
		};
		if (start + pageSize < pages.length) {
			const query = new URLSearchParams({ access_token: caller.token });
			if (fields) query.set('fields', fields);
			query.set('limit', String(pageSize));
			query.set('after', paging.cursors.after);
			paging.next = `${this.baseUrl()}/${request.version}/me/accounts?${query.toString()}`;
		}
		return jsonAnswer({ data, paging });
	}

	/** One page entry, in Meta's field order; `id` always comes, the rest only when asked for. */
	private account(
		caller: StoredToken,
		page: DoublePage,
		wanted: Set<string> | null,
	): Record<string, unknown> {
		const include = (field: string) => wanted === null || wanted.has(field);
		const entry: Record<string, unknown> = {};
		if (include('access_token')) entry.access_token = this.store.pageToken(caller, page).token;
		if (include('category') && page.category !== undefined) entry.category = page.category;
		if (include('name')) entry.name = page.name;
		entry.id = page.id;
		if (include('tasks') && page.tasks !== undefined) entry.tasks = page.tasks;
		return entry;
	}

	private deauthorize(caller: StoredToken): Answer {
		if (caller.type === 'APP') return missingToken();
		if (caller.type !== 'USER') return unsupportedRequest('DELETE', '/me/permissions');
		this.store.deauthorize(caller);
		return jsonAnswer({ success: true });
	}

	/** Meta answers `"success":"true"` here: a string, unlike /me/permissions. */
	private revoke(params: Record<string, string>): Answer {
		const client = this.client(params);
		if (!client.ok) return client.answer;
		if (!params.revoke_token) return missingParameter('revoke_token');
		const token = this.store.lookup(params.revoke_token);
		if (typeof token === 'string' || token.appId !== client.value.id) {
			return invalidParameter('(#100) The parameter revoke_token is invalid for this application');
		}
		this.store.invalidate(token, 'invalid');
		return jsonAnswer({ success: 'true' });
	}
}
