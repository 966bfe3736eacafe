/**
 * PostgreSQL and Redis for the queue-mode suite: Debian's own server binaries
 * (scripts/e2e/install-services.sh installs them), each run as its own process on a free loopback
 * port with its data in a fresh temporary folder, started and stopped by the suite through
 * processes.ts (process groups, stopped even when a test fails or the runner dies).
 * Postgres refuses to run as root: when the suite runs as root (CI), postgres runs as the
 * `postgres` system user through runuser. Durability settings are off: the data is thrown away.
 */
import { execFileSync } from 'child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import type { Tracked } from './processes';
import { freePort, run, sleepMs, spawnTracked, waitFor } from './processes';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** /usr/lib/postgresql/<major>/bin: initdb, postgres, createdb. */
function postgresBinDir(): string {
	const root = '/usr/lib/postgresql';
	const majors = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'postgres'))) : [];
	if (majors.length === 0) throw new Error('no PostgreSQL server under /usr/lib/postgresql: run scripts/e2e/install-services.sh');
	majors.sort((a, b) => Number(b) - Number(a));
	return join(root, majors[0], 'bin');
}

/** A command as the user postgres runs as (itself unless the suite is root). */
function asPostgresUser(command: string, args: string[]): [string, string[]] {
	return isRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

function postgresUserIds(): { uid: number; gid: number } {
	const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
	const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
	return { uid, gid };
}

export class PostgresProcess {
	readonly user = 'n8n';
	readonly database = 'n8n';
	readonly host = '127.0.0.1';

	private constructor(
		readonly port: number,
		private readonly dir: string,
		private readonly server: Tracked,
	) {}

	/** initdb into a temporary folder, then `postgres -D … -p <free port> -k <folder>`; a database `n8n`. */
	static async start(): Promise<PostgresProcess> {
		const bin = postgresBinDir();
		const dir = mkdtempSync(join(tmpdir(), 'meta-token-pg-'));
		const data = join(dir, 'data');
		const sockets = join(dir, 'sockets');
		mkdirSync(sockets);
		if (isRoot) {
			const { uid, gid } = postgresUserIds();
			for (const path of [dir, sockets]) chownSync(path, uid, gid);
		}
		const [initCommand, initArgs] = asPostgresUser(join(bin, 'initdb'), [
			'-D', data, '-U', 'n8n', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync',
		]);
		const init = await run(initCommand, initArgs, { cwd: dir, timeoutMs: 120_000 });
		if (init.code !== 0) throw new Error(`initdb failed (${init.code}):\n${init.output}`);
		const port = await freePort();
		const [command, args] = asPostgresUser(join(bin, 'postgres'), [
			'-D', data, '-p', String(port), '-k', sockets, '-h', '127.0.0.1',
			'-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
			'-c', 'max_connections=100',
		]);
		const server = spawnTracked(command, args, { cwd: dir });
		const postgres = new PostgresProcess(port, dir, server);
		try {
			await waitFor(
				`postgres on port ${port}`,
				async () => {
					if (server.child.exitCode !== null) throw new Error(`postgres exited:\n${server.output()}`);
					return server.output().includes('database system is ready to accept connections') ? true : undefined;
				},
				60_000,
				200,
			);
			const [createCommand, createArgs] = asPostgresUser(join(bin, 'createdb'), [
				'-h', '127.0.0.1', '-p', String(port), '-U', 'n8n', 'n8n',
			]);
			const created = await run(createCommand, createArgs, { cwd: dir, timeoutMs: 60_000 });
			if (created.code !== 0) throw new Error(`createdb failed (${created.code}):\n${created.output}`);
		} catch (error) {
			await postgres.stop();
			throw error;
		}
		return postgres;
	}

	/** What n8n needs to use this database. */
	n8nEnv(): Record<string, string> {
		return {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: this.host,
			DB_POSTGRESDB_PORT: String(this.port),
			DB_POSTGRESDB_DATABASE: this.database,
			DB_POSTGRESDB_USER: this.user,
			DB_POSTGRESDB_PASSWORD: '',
		};
	}

	/** Runs one SQL statement with psql and returns its unaligned output. */
	async sql(statement: string): Promise<string> {
		const [command, args] = asPostgresUser(join(postgresBinDir(), 'psql'), [
			'-h', this.host, '-p', String(this.port), '-U', this.user, '-d', this.database, '-At', '-c', statement,
		]);
		const result = await run(command, args, { timeoutMs: 30_000 });
		if (result.code !== 0) throw new Error(`psql failed (${result.code}): ${result.output}`);
		return result.stdout.trim();
	}

	/** A fast shutdown (SIGINT: disconnect clients, stop), then the folder goes. */
	async stop(): Promise<void> {
		if (this.server.child.pid !== undefined && this.server.child.exitCode === null) {
			try {
				process.kill(-this.server.child.pid, 'SIGINT');
			} catch {
				// Already gone.
			}
			await Promise.race([this.server.exited, sleepMs(15_000)]);
		}
		await this.server.stop(5_000);
		if (!process.env.E2E_KEEP_FOLDERS) rmSync(this.dir, { recursive: true, force: true });
	}
}

export class RedisProcess {
	readonly host = '127.0.0.1';

	private constructor(
		readonly port: number,
		private readonly dir: string,
		private readonly server: Tracked,
	) {}

	/** `redis-server --port <free> --dir <temporary folder> --save ''`: nothing written to disk. */
	static async start(): Promise<RedisProcess> {
		const dir = mkdtempSync(join(tmpdir(), 'meta-token-redis-'));
		const port = await freePort();
		const binary = existsSync('/usr/bin/redis-server') ? '/usr/bin/redis-server' : 'redis-server';
		const server = spawnTracked(
			binary,
			['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
			{ cwd: dir },
		);
		const redis = new RedisProcess(port, dir, server);
		try {
			await waitFor(
				`redis-server on port ${port}`,
				async () => {
					if (server.child.exitCode !== null) throw new Error(`redis-server exited:\n${server.output()}`);
					return server.output().includes('Ready to accept connections') ? true : undefined;
				},
				30_000,
				100,
			);
		} catch (error) {
			await redis.stop();
			throw error;
		}
		return redis;
	}

	/** What n8n needs to use this Redis for its Bull queue. */
	n8nEnv(): Record<string, string> {
		return { QUEUE_BULL_REDIS_HOST: this.host, QUEUE_BULL_REDIS_PORT: String(this.port) };
	}

	async stop(): Promise<void> {
		await this.server.stop(10_000);
		if (!process.env.E2E_KEEP_FOLDERS) rmSync(this.dir, { recursive: true, force: true });
	}
}
