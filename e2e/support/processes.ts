/**
 * Every process the end-to-end suite or the demo starts goes through here, so all of them can be
 * stopped on the way out — after a failing test, an exception, Ctrl-C or a plain exit.
 * Each child leads its own process group (`detached`), and stopping signals the whole group:
 * n8n starts task-runner children of its own, which must go too.
 */
import type { ChildProcess, SpawnOptions } from 'child_process';
import { spawn } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { createServer } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';

const running = new Set<ChildProcess>();

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
	if (child.pid === undefined) return;
	try {
		process.kill(-child.pid, signal);
	} catch {
		// The group is already gone.
	}
}

/**
 * Runs the command under a small bash guard in the same process group: when this Node process
 * dies without cleaning up (Ctrl-C or SIGKILL on jest, whose sandboxed `process` cannot see
 * signals), the guard kills the whole group within a second. It passes the exit code through,
 * and ignores SIGTERM itself so that n8n gets to shut down gracefully when the group is signalled.
 */
const GUARD = [
	'parent=$1; shift',
	// A file, not a pipe, when asked: n8n exits before a large stdout has drained into a pipe.
	'if [ -n "$GUARD_STDOUT_FILE" ]; then "$@" >"$GUARD_STDOUT_FILE" & else "$@" & fi',
	'child=$!',
	"trap ':' TERM INT",
	'( while kill -0 "$parent" 2>/dev/null; do sleep 1; done; kill -KILL 0 ) &',
	'watcher=$!',
	'while :; do wait "$child"; code=$?; kill -0 "$child" 2>/dev/null || break; done',
	'kill "$watcher" 2>/dev/null',
	'exit $code',
].join('\n');

// When the parent exits normally without calling stopAll (a thrown error in the demo).
process.on('exit', () => {
	for (const child of running) signalGroup(child, 'SIGKILL');
});

export interface Tracked {
	child: ChildProcess;
	/** stdout and stderr so far, for error messages. */
	output(): string;
	/** Resolves with the exit code (or signal name) once the process has ended. */
	exited: Promise<number | string>;
	/** SIGTERM to the group, SIGKILL after `graceMs`; resolves when the process has ended. */
	stop(graceMs?: number): Promise<void>;
}

export function spawnTracked(
	command: string,
	args: string[],
	options: SpawnOptions & { logPrefix?: string; echo?: boolean } = {},
): Tracked {
	const child = spawn('bash', ['-c', GUARD, 'guard', String(process.pid), command, ...args], {
		...options,
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	running.add(child);
	let output = '';
	const keep = (chunk: Buffer): void => {
		output += chunk.toString();
		if (output.length > 400_000) output = output.slice(-200_000);
		if (options.echo) process.stdout.write(chunk);
	};
	child.stdout?.on('data', keep);
	child.stderr?.on('data', keep);
	const exited = new Promise<number | string>((resolve) => {
		child.once('exit', (code, signal) => {
			running.delete(child);
			resolve(code ?? signal ?? 'unknown');
		});
		child.once('error', (error) => {
			running.delete(child);
			output += `\n${String(error)}`;
			resolve('spawn-error');
		});
	});
	return {
		child,
		output: () => output,
		exited,
		async stop(graceMs = 20_000) {
			if (!running.has(child)) return;
			signalGroup(child, 'SIGTERM');
			const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
			await exited;
			clearTimeout(timer);
			// Task runners and other children may outlive the leader for a moment.
			signalGroup(child, 'SIGKILL');
		},
	};
}

/** Stops every process still running that was started through spawnTracked. */
export async function stopAll(): Promise<void> {
	await Promise.all(
		[...running].map(
			(child) =>
				new Promise<void>((resolve) => {
					const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), 10_000);
					child.once('exit', () => {
						clearTimeout(timer);
						signalGroup(child, 'SIGKILL');
						resolve();
					});
					signalGroup(child, 'SIGTERM');
				}),
		),
	);
}

export function runningCount(): number {
	return running.size;
}

/** A port that was free a moment ago (the OS picks it). */
export async function freePort(): Promise<number> {
	return await new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => resolve(port));
		});
	});
}

/** Runs a command to its end, its stdout through a file; rejects only when it takes longer than timeoutMs. */
export async function run(
	command: string,
	args: string[],
	options: SpawnOptions & { timeoutMs?: number } = {},
): Promise<{ code: number | string; output: string; stdout: string }> {
	const dir = mkdtempSync(join(tmpdir(), 'meta-token-run-'));
	const stdoutFile = join(dir, 'stdout');
	const tracked = spawnTracked(command, args, {
		...options,
		env: { ...(options.env ?? process.env), GUARD_STDOUT_FILE: stdoutFile },
	});
	const timeoutMs = options.timeoutMs ?? 300_000;
	let timedOut = false;
	const timer = setTimeout(() => {
		timedOut = true;
		void tracked.stop(2_000);
	}, timeoutMs);
	const code = await tracked.exited;
	clearTimeout(timer);
	const stdout = existsSync(stdoutFile) ? readFileSync(stdoutFile, 'utf8') : '';
	rmSync(dir, { recursive: true, force: true });
	if (timedOut) {
		throw new Error(`${command} ${args.join(' ')} took over ${timeoutMs} ms:\n${(stdout + tracked.output()).slice(-4000)}`);
	}
	return { code, output: `${stdout}${tracked.output()}`, stdout };
}

export async function sleepMs(ms: number): Promise<void> {
	await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns a value other than undefined, or throws after timeoutMs. */
export async function waitFor<T>(
	what: string,
	check: () => Promise<T | undefined>,
	timeoutMs: number,
	intervalMs = 500,
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	let lastError: unknown;
	while (Date.now() < deadline) {
		try {
			const value = await check();
			if (value !== undefined) return value;
		} catch (error) {
			lastError = error;
		}
		await sleepMs(intervalMs);
	}
	throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}
