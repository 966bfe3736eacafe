/**
 * The deployments the production suite runs n8n in, behind one interface so a test can run the
 * same story on each:
 * - `SingleN8n`: one `n8n start` on SQLite in its user folder (what the other suites use);
 * - `QueueCluster`: n8n's queue mode as the README tells users to run it — Postgres and Redis
 *   (services.ts), one `n8n start` main that owns triggers and pollers, one `n8n worker` that runs
 *   executions; the same N8N_ENCRYPTION_KEY, and the package installed for EACH of them into its
 *   own `$N8N_USER_FOLDER/.n8n/nodes` (two folders, as two containers would have), so the worker
 *   can only run our nodes because it loaded them itself.
 * Either can take the durable poller's settings (`pollerEnv`).
 */
import { randomBytes } from 'crypto';

import { N8nInstance } from './n8n';
import type { N8nRuntime } from './paths';
import { PostgresProcess, RedisProcess } from './services';

export type Poller = 'legacy' | 'durable' | 'durableCursors';

/** The environment of each poller (test/support/pollers.ts says what each does): n8n's default, the durable scheduler, and it with durable cursors. */
export function pollerEnv(poller: Poller): Record<string, string> {
	const durable = { N8N_SCHEDULER_ENABLED: 'true', N8N_SCHEDULER_POLL_TRIGGERS_ENABLED: 'true' };
	if (poller === 'durable') return durable;
	if (poller === 'durableCursors') return { ...durable, N8N_POLLER_DURABLE_CURSORS_ENABLED: 'true' };
	return {};
}

export interface N8nDeployment {
	readonly label: string;
	/** The instance that serves the editor, the API and the webhooks, and runs the pollers. */
	readonly main: N8nInstance;
	start(): Promise<void>;
	stop(): Promise<void>;
	/** Stops everything it started and deletes its folders. */
	dispose(): Promise<void>;
}

export class SingleN8n implements N8nDeployment {
	private constructor(
		readonly label: string,
		readonly main: N8nInstance,
	) {}

	static async create(runtime: N8nRuntime, tarball: string, env: Record<string, string> = {}): Promise<SingleN8n> {
		return new SingleN8n(`SQLite, n8n ${runtime.version}`, await N8nInstance.create(runtime, tarball, { env }));
	}

	async start(): Promise<void> {
		await this.main.start();
	}

	async stop(): Promise<void> {
		await this.main.stop();
	}

	async dispose(): Promise<void> {
		await this.main.dispose();
	}
}

export class QueueCluster implements N8nDeployment {
	private constructor(
		readonly label: string,
		readonly main: N8nInstance,
		readonly worker: N8nInstance,
		readonly postgres: PostgresProcess,
		readonly redis: RedisProcess,
	) {}

	static async create(runtime: N8nRuntime, tarball: string, env: Record<string, string> = {}): Promise<QueueCluster> {
		const postgres = await PostgresProcess.start();
		let redis: RedisProcess | undefined;
		try {
			redis = await RedisProcess.start();
			const shared: Record<string, string> = {
				EXECUTIONS_MODE: 'queue',
				N8N_ENCRYPTION_KEY: randomBytes(24).toString('hex'),
				...postgres.n8nEnv(),
				...redis.n8nEnv(),
				// Manual runs too would go to the worker (they stay on main by default).
				OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
				// The worker's health server would listen on 5678 like main: off.
				QUEUE_HEALTH_CHECK_ACTIVE: 'false',
				...env,
			};
			const [main, worker] = await Promise.all([
				N8nInstance.create(runtime, tarball, { env: shared }),
				N8nInstance.create(runtime, tarball, { env: shared }),
			]);
			return new QueueCluster(`queue mode (Postgres, Redis, main + worker), n8n ${runtime.version}`, main, worker, postgres, redis);
		} catch (error) {
			await redis?.stop();
			await postgres.stop();
			throw error;
		}
	}

	/** Main first (it migrates the database), then the worker. */
	async start(): Promise<void> {
		await this.main.start();
		await this.worker.startWorker();
	}

	async stop(): Promise<void> {
		await this.main.stop();
		await this.worker.stop();
	}

	/** Whether the worker's log says it started and finished this execution. */
	workerRan(executionId: string | number): boolean {
		const log = this.worker.log();
		return log.includes(`Worker started execution ${executionId} `) && log.includes(`Worker finished execution ${executionId} `);
	}

	/** Whether main's log says it handed this execution to the queue. */
	mainEnqueued(executionId: string | number): boolean {
		return this.main.log().includes(`Enqueued execution ${executionId} `);
	}

	async dispose(): Promise<void> {
		await this.main.dispose();
		await this.worker.dispose();
		await this.redis.stop();
		await this.postgres.stop();
	}
}
