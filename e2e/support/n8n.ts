/**
 * A real n8n (from the install cache) with its own fresh user folder, this package installed the
 * way users get it: `npm install <tarball>` inside `$N8N_USER_FOLDER/.n8n/nodes`, so the node
 * types are `n8n-nodes-meta-token.metaToken` and `…metaTokenTrigger`.
 *
 * CLI commands (`import:*`, `execute`, `publish:workflow`) each boot n8n (≈4 s); `start()` runs
 * the server, `startWorker()` a queue-mode worker (queueCluster.ts). All use their own free
 * ports, so a CLI command can run beside the server. Extra environment (a Postgres database, the
 * queue, a poller) comes with `create(…, { env })`; without it n8n runs on SQLite in the folder.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import type { N8nRuntime } from './paths';
import type { Tracked } from './processes';
import { freePort, run, sleepMs, spawnTracked, waitFor } from './processes';

export interface CredentialImport {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

export interface WorkflowNode {
	id?: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	onError?: string;
	continueOnFail?: boolean;
	[key: string]: unknown;
}

export interface Workflow {
	id: string;
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, unknown>;
	active?: boolean;
	settings?: Record<string, unknown>;
	[key: string]: unknown;
}

/** What `execute --rawOutput` prints: n8n's IRun. */
export interface RunResult {
	data: {
		resultData: {
			runData: Record<string, Array<{ data?: { main: Array<Array<{ json: Record<string, unknown> }> | null> }; error?: { message: string; description?: string } }>>;
			error?: { message: string; description?: string; node?: { name: string } };
			lastNodeExecuted?: string;
		};
	};
	status?: string;
	finished?: boolean;
}

/** An execution as the public API lists it (`includeData=true`). */
export interface ExecutionRecord {
	id: string | number;
	mode: string;
	status: string;
	finished: boolean;
	startedAt: string;
	stoppedAt: string | null;
	workflowId: string;
	data?: RunResult['data'];
}

export interface Owner {
	email: string;
	password: string;
	firstName: string;
	lastName: string;
}

export const DEFAULT_OWNER: Owner = {
	email: 'owner@meta-token.example',
	password: 'MetaToken-Demo-1',
	firstName: 'Demo',
	lastName: 'Owner',
};

export class N8nInstance {
	readonly userFolder: string;
	port = 0;
	private server: Tracked | undefined;
	/** Output of the server or worker runs already stopped (restarts). */
	private earlierOutput = '';
	private cookie = '';
	/** Added to n8n's environment (e.g. N8N_LOG_LEVEL=debug to see the package's request log). */

	private constructor(
		readonly runtime: N8nRuntime,
		userFolder: string,
		private readonly keepFolder: boolean,
		private readonly extraEnv: Record<string, string>,
	) {
		this.userFolder = userFolder;
	}

	/** A fresh user folder with the package installed from `tarball` into .n8n/nodes. */
	static async create(
		runtime: N8nRuntime,
		tarball: string,
		options: { userFolder?: string; env?: Record<string, string> } = {},
	): Promise<N8nInstance> {
		const userFolder = options.userFolder ?? mkdtempSync(join(tmpdir(), `meta-token-n8n${runtime.major}-`));
		const instance = new N8nInstance(runtime, userFolder, options.userFolder !== undefined, options.env ?? {});
		const nodesDir = join(userFolder, '.n8n', 'nodes');
		mkdirSync(nodesDir, { recursive: true });
		writeFileSync(join(nodesDir, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true }));
		// As a user's install: the package alone. n8n-workflow is a peer that n8n itself provides.
		const installed = await run(
			'npm',
			['install', tarball, '--legacy-peer-deps', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'],
			{ cwd: nodesDir, timeoutMs: 120_000 },
		);
		if (installed.code !== 0) throw new Error(`npm install ${tarball} failed:\n${installed.output}`);
		return instance;
	}

	get url(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	private async env(): Promise<NodeJS.ProcessEnv> {
		return {
			PATH: process.env.PATH,
			HOME: process.env.HOME,
			TZ: 'UTC',
			N8N_USER_FOLDER: this.userFolder,
			N8N_PORT: String(this.port || (await freePort())),
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_HOST: '127.0.0.1',
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
			N8N_SECURE_COOKIE: 'false',
			N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
			N8N_PUBLIC_API_DISABLED: 'false',
			DB_SQLITE_POOL_SIZE: '2',
			// `execute --rawOutput` prints its result through the logger at info level.
			N8N_LOG_LEVEL: 'info',
			GENERIC_TIMEZONE: 'UTC',
			...this.runtime.env,
			...this.extraEnv,
		};
	}

	/** Runs one n8n CLI command in this user folder. */
	async cli(args: string[], timeoutMs = 180_000): Promise<{ code: number | string; output: string; stdout: string }> {
		return await run(this.runtime.node, [this.runtime.n8n, ...args], {
			cwd: this.userFolder,
			env: await this.env(),
			timeoutMs,
		});
	}

	private async cliOk(args: string[]): Promise<string> {
		const result = await this.cli(args);
		if (result.code !== 0) throw new Error(`n8n ${args.join(' ')} failed (${result.code}):\n${result.output.slice(-6000)}`);
		return result.output;
	}

	async importCredentials(credentials: CredentialImport[]): Promise<void> {
		const file = join(this.userFolder, `credentials-${Date.now()}.json`);
		writeFileSync(file, JSON.stringify(credentials, null, 2));
		await this.cliOk(['import:credentials', `--input=${file}`]);
	}

	async importWorkflows(workflows: Workflow[]): Promise<void> {
		const file = join(this.userFolder, `workflows-${Date.now()}.json`);
		writeFileSync(file, JSON.stringify(workflows, null, 2));
		await this.cliOk(['import:workflow', `--input=${file}`]);
	}

	/** `n8n execute --id <id> --rawOutput`; the IRun it prints, and whether the command succeeded. */
	async execute(id: string): Promise<{ ok: boolean; run: RunResult | undefined; output: string }> {
		const result = await this.cli(['execute', `--id=${id}`, '--rawOutput']);
		// Kept in the user folder for a look afterwards (E2E_KEEP_FOLDERS=1 keeps the folder).
		writeFileSync(join(this.userFolder, `execute-${id}-${Date.now()}.log`), result.output);
		return { ok: result.code === 0, run: parseRun(result.stdout), output: result.output };
	}

	/** Makes a workflow active so `start` runs its trigger: publish on 2.x, update:workflow on 1.x. */
	async activate(id: string): Promise<void> {
		if (this.runtime.major === 2) await this.cliOk(['publish:workflow', `--id=${id}`]);
		else await this.cliOk(['update:workflow', `--id=${id}`, '--active=true']);
	}

	/** `n8n start`; resolves once /healthz answers. */
	async start(options: { echo?: boolean } = {}): Promise<void> {
		if (this.server) throw new Error('n8n is already running');
		this.port = this.port || (await freePort());
		const env = await this.env();
		this.server = spawnTracked(this.runtime.node, [this.runtime.n8n, 'start'], {
			cwd: this.userFolder,
			env,
			echo: options.echo,
		});
		const server = this.server;
		await waitFor(
			`n8n ${this.runtime.version} to answer /healthz on ${this.url}`,
			async () => {
				if (server.child.exitCode !== null) throw new Error(`n8n exited:\n${server.output().slice(-6000)}`);
				const response = await fetch(`${this.url}/healthz`);
				return response.ok ? true : undefined;
			},
			180_000,
			500,
		);
		// /healthz answers before the REST API is up: until then every route answers 200 with the
		// text "n8n is starting up. Please wait". Ready is when /rest/settings answers JSON.
		await waitFor(
			`n8n ${this.runtime.version} to serve its REST API`,
			async () => {
				if (server.child.exitCode !== null) throw new Error(`n8n exited:\n${server.output().slice(-6000)}`);
				const response = await fetch(`${this.url}/rest/settings`);
				const text = await response.text();
				return response.ok && text.trimStart().startsWith('{') ? true : undefined;
			},
			120_000,
			500,
		);
		// Another process may have taken the port between freePort() and n8n's listen: then the
		// /healthz that answered was not ours.
		await sleepMs(1_000);
		if (server.child.exitCode !== null || /EADDRINUSE/.test(server.output())) {
			const output = server.output();
			await this.stop();
			throw new Error(`n8n could not serve on port ${this.port}:\n${output.slice(-3000)}`);
		}
	}

	/**
	 * `n8n worker` (queue mode); resolves once it says it is ready. Its health server stays off
	 * (QUEUE_HEALTH_CHECK_ACTIVE), so it listens on no port but its task broker's.
	 */
	async startWorker(options: { echo?: boolean; concurrency?: number } = {}): Promise<void> {
		if (this.server) throw new Error('n8n is already running');
		const worker = spawnTracked(this.runtime.node, [this.runtime.n8n, 'worker', `--concurrency=${options.concurrency ?? 5}`], {
			cwd: this.userFolder,
			env: await this.env(),
			echo: options.echo,
		});
		this.server = worker;
		await waitFor(
			`n8n ${this.runtime.version} worker to be ready`,
			async () => {
				if (worker.child.exitCode !== null) throw new Error(`n8n worker exited:\n${worker.output().slice(-6000)}`);
				return worker.output().includes('n8n worker is now ready') ? true : undefined;
			},
			180_000,
			500,
		);
	}

	/** The server's output so far (logs, errors). */
	serverOutput(): string {
		return this.server?.output() ?? '';
	}

	/** The output of every server (or worker) run of this instance, restarts included. */
	log(): string {
		return this.earlierOutput + this.serverOutput();
	}

	async stop(): Promise<void> {
		const server = this.server;
		this.server = undefined;
		this.cookie = '';
		await server?.stop(30_000);
		if (server) this.earlierOutput += server.output();
	}

	/** Stops the server and deletes the user folder (unless it was given by the caller). */
	async dispose(): Promise<void> {
		await this.stop();
		if (!this.keepFolder && !process.env.E2E_KEEP_FOLDERS) rmSync(this.userFolder, { recursive: true, force: true });
	}

	/** A REST call with the owner's session cookie. */
	async rest(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
		return await fetch(`${this.url}${path}`, {
			method,
			headers: {
				...(body === undefined ? {} : { 'content-type': 'application/json' }),
				...(this.cookie ? { cookie: this.cookie } : {}),
				...headers,
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
	}

	private keepCookie(response: Response): void {
		const cookies = response.headers.getSetCookie().map((c) => c.split(';')[0]);
		if (cookies.length > 0) this.cookie = cookies.join('; ');
	}

	/** Creates the owner account (the setup route answers 404 for a few seconds after /healthz). */
	async setupOwner(owner: Owner = DEFAULT_OWNER): Promise<void> {
		await waitFor(
			'POST /rest/owner/setup',
			async () => {
				const response = await this.rest('POST', '/rest/owner/setup', owner);
				if (response.status === 404) return undefined;
				const text = await response.text();
				if (!response.ok) throw new Error(`owner setup → ${response.status} ${text}`);
				this.keepCookie(response);
				return true;
			},
			60_000,
			1_000,
		);
	}

	async login(owner: Owner = DEFAULT_OWNER): Promise<void> {
		// 2.x and 1.123.x read emailOrLdapLoginId; older 1.x releases read email.
		const body = { emailOrLdapLoginId: owner.email, email: owner.email, password: owner.password };
		const response = await this.rest('POST', '/rest/login', body);
		if (!response.ok) throw new Error(`login → ${response.status} ${await response.text()}`);
		this.keepCookie(response);
	}

	/** A call to the public API (`/api/v1/…`) with an API key; the parsed JSON answer. */
	async api<T>(method: string, path: string, apiKey: string, body?: unknown): Promise<T> {
		const response = await fetch(`${this.url}/api/v1${path}`, {
			method,
			headers: { 'x-n8n-api-key': apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		if (!response.ok) throw new Error(`${method} /api/v1${path} → ${response.status} ${text.slice(0, 500)}`);
		return JSON.parse(text) as T;
	}

	/** The workflow's executions, newest first, with their data (public API, up to 250). */
	async executions(apiKey: string, workflowId: string): Promise<ExecutionRecord[]> {
		const page = await this.api<{ data: ExecutionRecord[] }>(
			'GET',
			`/executions?workflowId=${encodeURIComponent(workflowId)}&includeData=true&limit=250`,
			apiKey,
		);
		return page.data;
	}

	/**
	 * Imports `credential` as the n8n API credential Save to Credential uses, with a new API key of
	 * the scopes it needs (1.x knows no credential:update nor read scope: the closest it has).
	 * Call while the server runs, after setupOwner(); the CLI boots beside it on its own ports.
	 */
	async addN8nApiCredential(credential: { id: string; name: string }): Promise<void> {
		const scopes = this.runtime.major === 2 ? ['credential:update', 'credential:read'] : ['credential:create'];
		const apiKey = await this.createApiKey(scopes);
		await this.importCredentials([{ ...credential, type: 'metaTokenN8nApi', data: { baseUrl: this.url, apiKey } }]);
	}

	/** An API key for the public API, with the given scopes and no expiry. */
	async createApiKey(scopes: string[], label = 'meta-token-e2e'): Promise<string> {
		const response = await this.rest('POST', '/rest/api-keys', { label, scopes, expiresAt: null });
		const text = await response.text();
		let rawApiKey: unknown;
		try {
			rawApiKey = (JSON.parse(text) as { data?: { rawApiKey?: unknown } }).data?.rawApiKey;
		} catch {
			rawApiKey = undefined;
		}
		if (!response.ok || typeof rawApiKey !== 'string') {
			throw new Error(`POST ${this.url}/rest/api-keys → ${response.status} ${text.slice(0, 500)}`);
		}
		return rawApiKey;
	}
}

/**
 * Where the JSON document of `execute --rawOutput` is in its output. Log lines may come before it,
 * and at debug level they carry multi-line objects of their own: the document is the first `{`
 * at the start of a line from which everything up to the last `}` line parses.
 */
export function runDocumentBounds(text: string): { start: number; end: number; run: RunResult } | undefined {
	const last = text.lastIndexOf('\n}');
	if (last < 0) return undefined;
	const end = last + 2;
	const starts: number[] = text.startsWith('{\n') ? [0] : [];
	for (let i = text.indexOf('\n{\n'); i >= 0 && i < last; i = text.indexOf('\n{\n', i + 1)) starts.push(i + 1);
	for (const start of starts) {
		try {
			return { start, end, run: JSON.parse(text.slice(start, end)) as RunResult };
		} catch {
			// A log line's object, not the run: try the next line that starts with `{`.
		}
	}
	return undefined;
}

/**
 * n8n's output without colours, and with the `HH:MM:SS.mmm  info` prefix that the pretty log
 * format (debug level) puts before the first line of a multi-line message.
 */
export function plainLog(text: string): string {
	return text.replace(/\u001b\[[0-9;]*m/g, '').replace(/^\d\d:\d\d:\d\d\.\d{3}\s+info\s+\{$/gm, '{');
}

/** The JSON document in `execute --rawOutput`'s stdout. */
export function parseRun(stdout: string): RunResult | undefined {
	return runDocumentBounds(plainLog(stdout))?.run;
}

/** The items a node put out on its first output in its first run. */
export function nodeItems(run: RunResult | undefined, nodeName: string, output = 0): Array<Record<string, unknown>> {
	const taskData = run?.data.resultData.runData[nodeName]?.[0];
	if (!taskData) {
		const ran = Object.keys(run?.data?.resultData?.runData ?? {}).join(', ');
		throw new Error(`node "${nodeName}" did not run (ran: ${ran || 'none'}; run keys: ${Object.keys(run ?? {}).join(', ')})`);
	}
	return (taskData.data?.main[output] ?? []).map((item) => item.json);
}

export { sleepMs };
