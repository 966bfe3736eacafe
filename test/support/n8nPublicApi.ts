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
 * Faults can be queued per method; every request is recorded with its API key and body.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StoredCredential {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

export interface RecordedApiRequest {
	method: string;
	path: string;
	apiKey: string | undefined;
	body: unknown;
}

export type ApiFault = { status: number } | { reset: true };

export class N8nPublicApiStandIn {
	readonly requests: RecordedApiRequest[] = [];
	readonly credentials = new Map<string, StoredCredential>();
	/** n8n 2.x has the credential routes; 1.x does not. */
	major: 1 | 2 = 2;
	scopes: string[] = ['credential:read', 'credential:update'];
	private readonly faults: Array<{ method: string; fault: ApiFault; remaining: number }> = [];

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
		this.major = 2;
		this.scopes = ['credential:read', 'credential:update'];
	}

	store(credential: StoredCredential): void {
		this.credentials.set(credential.id, { ...credential, data: { ...credential.data } });
	}

	/** The next `times` requests with this method get the fault instead of n8n's answer. */
	fail(method: 'GET' | 'PATCH', fault: ApiFault, times = 1): void {
		this.faults.push({ method, fault, remaining: times });
	}

	private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
		let raw = '';
		request.on('data', (chunk) => (raw += chunk));
		request.on('end', () => {
			const method = request.method ?? 'GET';
			const path = (request.url ?? '/').split('?')[0];
			let body: unknown = undefined;
			try {
				body = raw ? JSON.parse(raw) : undefined;
			} catch {
				body = raw;
			}
			this.requests.push({ method, path, apiKey: request.headers['x-n8n-api-key'] as string | undefined, body });
			const index = this.faults.findIndex((rule) => rule.method === method);
			if (index >= 0) {
				const rule = this.faults[index];
				rule.remaining -= 1;
				if (rule.remaining <= 0) this.faults.splice(index, 1);
				if ('reset' in rule.fault) {
					request.socket.destroy();
					return;
				}
				return send(response, rule.fault.status, { message: 'Internal Server Error' });
			}
			const [status, answer] = this.answer(method, path, request.headers['x-n8n-api-key'], body);
			send(response, status, answer);
		});
	}

	private answer(method: string, path: string, apiKey: unknown, body: unknown): [number, unknown] {
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
		isManaged: false,
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
