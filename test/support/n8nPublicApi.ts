/**
 * A stand-in for n8n's public API — the part Save to Credential uses — on 127.0.0.1, answering as
 * n8n 2.41.1's CredentialsPublicController does (n8n/dist/public-api/v1/controllers/
 * credentials.public.controller.js): `GET /api/v1/credentials/{id}` (API key scope
 * credential:read) → `{id, name, type, isManaged, isGlobal, isResolvable, …, createdAt,
 * updatedAt}`, never the data; `PATCH /api/v1/credentials/{id}` (scope credential:update) with
 * `{data, isPartialData: true}` merges into the stored data; an unknown id → 404
 * `{"message":"Credential not found"}`; a missing scope → 403 `{"message":"Forbidden"}`; a wrong
 * key → 401. As n8n 1.x (major 1) it has neither route: 405 `{"message":"GET method not
 * allowed"}`, as express-openapi-validator answers for a path that knows only DELETE.
 * Check for Alerts' history: `GET /api/v1/workflows/{id}` (scope workflow:read, both majors) →
 * the workflow with `staticData` as stored (null when none), as WorkflowsPublicController's
 * toWorkflowFieldsPublicDto (2.41.1) and the 1.123.81 handler's entity answer; an unknown id → 404
 * `{"message":"Not Found"}` (an owner's key: global scope, then the controller's NotFoundError).
 * A PATCH is checked as 2.41.1's assertValidUpdateProperties does (credentials.utils.js): with
 * isPartialData, `required` is dropped but the type's properties still bound the data
 * (additionalProperties: false, each a string; properties of type 'hidden' are left out of that
 * schema), else 400 `request.body.data …`; for the types
 * known below. A managed credential (`isManaged`) → 400 "Managed credentials cannot be updated.".
 * Faults can be queued per method (and path); every request is recorded with its API key, query
 * and body.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { MetaTokenApi } from '../../credentials/MetaTokenApi.credentials';

export interface StoredCredential {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
	isManaged?: boolean;
}

/**
 * The data fields of the credential types the tests write into, as n8n 2.41.1 lists them
 * (n8n-nodes-base credentials; the generic auth types and the Meta ones get n8n's injected
 * allowedHttpRequestDomains and allowedDomains, credential-domain-restrictions.js).
 */
const DOMAIN_FIELDS = ['allowedHttpRequestDomains', 'allowedDomains'];
export const CREDENTIAL_FIELDS: Record<string, string[]> = {
	// This package's own type, read from its class as n8n reads it: every property but the 'hidden' ones.
	metaTokenApi: [...new MetaTokenApi().properties.filter((property) => property.type !== 'hidden').map((property) => property.name), ...DOMAIN_FIELDS],
	facebookGraphApi: ['accessToken', ...DOMAIN_FIELDS],
	facebookGraphAppApi: ['accessToken', 'appSecret', ...DOMAIN_FIELDS],
	whatsAppApi: ['accessToken', 'businessAccountId', ...DOMAIN_FIELDS],
	httpHeaderAuth: ['name', 'value', ...DOMAIN_FIELDS],
	httpQueryAuth: ['name', 'value', ...DOMAIN_FIELDS],
	httpBearerAuth: ['token', ...DOMAIN_FIELDS],
};

export interface RecordedApiRequest {
	method: string;
	path: string;
	query: string;
	apiKey: string | undefined;
	body: unknown;
}

/** `echo`: the answer's message repeats the request body, as a careless proxy might. */
export type ApiFault = { status: number; echo?: boolean } | { reset: true };

export class N8nPublicApiStandIn {
	readonly requests: RecordedApiRequest[] = [];
	readonly credentials = new Map<string, StoredCredential>();
	/** Workflows by id: their static data as n8n's database holds it. */
	readonly workflows = new Map<string, { staticData: Record<string, unknown> | null }>();
	/** n8n 2.x has the credential routes; 1.x does not. */
	major: 1 | 2 = 2;
	scopes: string[] = ['credential:read', 'credential:update'];
	private readonly faults: Array<{ method: string; path?: string; fault: ApiFault; remaining: number }> = [];

	private constructor(
		private readonly server: http.Server,
		readonly apiKey: string,
	) {}

	static async start(apiKey: string): Promise<N8nPublicApiStandIn> {
		const server = http.createServer();
		const standIn = new N8nPublicApiStandIn(server, apiKey);
		server.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => standIn.handle(request, response));
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		return standIn;
	}

	get url(): string {
		return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
	}

	async stop(): Promise<void> {
		this.server.closeAllConnections();
		await new Promise((resolve) => this.server.close(resolve));
	}

	/** Forgets requests, faults and credentials, and goes back to a 2.x with both scopes. */
	reset(): void {
		this.requests.length = 0;
		this.faults.length = 0;
		this.credentials.clear();
		this.workflows.clear();
		this.major = 2;
		this.scopes = ['credential:read', 'credential:update'];
	}

	store(credential: StoredCredential): void {
		this.credentials.set(credential.id, { ...credential, data: { ...credential.data } });
	}

	/** The next `times` requests with this method (to this path, when given) get the fault instead of n8n's answer. */
	fail(method: 'GET' | 'PATCH', fault: ApiFault, times = 1, path?: string): void {
		this.faults.push({ method, path, fault, remaining: times });
	}

	private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
		let raw = '';
		request.on('data', (chunk) => (raw += chunk));
		request.on('end', () => {
			const method = request.method ?? 'GET';
			const [path, query = ''] = (request.url ?? '/').split('?');
			let body: unknown = undefined;
			try {
				body = raw ? JSON.parse(raw) : undefined;
			} catch {
				body = raw;
			}
			this.requests.push({ method, path, query, apiKey: request.headers['x-n8n-api-key'] as string | undefined, body });
			const index = this.faults.findIndex((rule) => rule.method === method && (rule.path === undefined || rule.path === path));
			if (index >= 0) {
				const rule = this.faults[index];
				rule.remaining -= 1;
				if (rule.remaining <= 0) this.faults.splice(index, 1);
				if ('reset' in rule.fault) {
					request.socket.destroy();
					return;
				}
				return send(response, rule.fault.status, { message: rule.fault.echo ? `Bad request: ${raw}` : 'Internal Server Error' });
			}
			const [status, answer] = this.answer(method, path, request.headers['x-n8n-api-key'], body);
			send(response, status, answer);
		});
	}

	private answer(method: string, path: string, apiKey: unknown, body: unknown): [number, unknown] {
		const workflow = /^\/api\/v1\/workflows\/([^/]+)$/.exec(path);
		if (workflow && method === 'GET') {
			if (apiKey !== this.apiKey) return [401, { message: 'unauthorized' }];
			if (!this.scopes.includes('workflow:read')) return [403, { message: 'Forbidden' }];
			const id = decodeURIComponent(workflow[1]);
			const stored = this.workflows.get(id);
			if (!stored) return [404, { message: 'Not Found' }];
			return [200, { id, name: 'Watch', active: true, nodes: [], connections: {}, settings: {}, staticData: stored.staticData, meta: null }];
		}
		const match = /^\/api\/v1\/credentials\/([^/]+)$/.exec(path);
		if (!match) return [404, { message: 'not found' }];
		if (this.major === 1) {
			if (method === 'DELETE') return [401, { message: 'unauthorized' }];
			return [405, { message: `${method} method not allowed` }];
		}
		if (apiKey !== this.apiKey) return [401, { message: 'unauthorized' }];
		const id = decodeURIComponent(match[1]);
		const credential = this.credentials.get(id);
		if (method === 'GET') {
			if (!this.scopes.includes('credential:read')) return [403, { message: 'Forbidden' }];
			if (!credential) return [404, { message: 'Credential not found' }];
			return [200, publicDto(credential)];
		}
		if (method === 'PATCH') {
			if (!this.scopes.includes('credential:update')) return [403, { message: 'Forbidden' }];
			if (!credential) return [404, { message: 'Credential not found' }];
			const update = body as { data?: Record<string, unknown>; isPartialData?: boolean };
			const fields = CREDENTIAL_FIELDS[credential.type];
			for (const [key, value] of Object.entries(update.data ?? {})) {
				if (fields && !fields.includes(key)) return [400, { message: `request.body.data is not allowed to have the additional property "${key}"` }];
				if (typeof value !== 'string') return [400, { message: `request.body.data.${key} is not of a type(s) string` }];
			}
			if (credential.isManaged) return [400, { message: 'Managed credentials cannot be updated.' }];
			credential.data = update.isPartialData ? { ...credential.data, ...update.data } : { ...update.data };
			return [200, publicDto(credential)];
		}
		return [405, { message: `${method} method not allowed` }];
	}
}

function publicDto(credential: StoredCredential): Record<string, unknown> {
	const at = '2026-12-01T00:00:00.000Z';
	return {
		id: credential.id,
		name: credential.name,
		type: credential.type,
		isManaged: credential.isManaged ?? false,
		isGlobal: false,
		isResolvable: false,
		resolvableAllowFallback: false,
		resolverId: null,
		createdAt: at,
		updatedAt: at,
	};
}

function send(response: http.ServerResponse, status: number, body: unknown): void {
	response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
	response.end(JSON.stringify(body));
}
