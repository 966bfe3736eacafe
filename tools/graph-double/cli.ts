/**
 * Runs the Graph API double as its own process, for end-to-end suites (a real n8n calls it):
 *
 *   node .e2e-build/tools/graph-double/cli.js [--port 0] [--seed seed.json]
 *
 * The seed is `{"apps":[DoubleApp...],"tokens":[DoubleTokenSpec...]}`. Once listening it prints
 * one JSON line `{"url":"http://127.0.0.1:PORT"}` on stdout; the suite then drives the double
 * through its control API under `/_double/` (see README.md). SIGINT or SIGTERM stops it.
 */
import { readFileSync } from 'fs';

import { seedFromJson } from './control';
import { GraphDouble } from './GraphDouble';

export interface CliOptions {
	port: number;
	seed?: string;
}

/** `--port N` / `--port=N` and `--seed FILE` / `--seed=FILE`; anything else is refused. */
export function parseArgs(argv: string[]): CliOptions {
	const options: CliOptions = { port: 0 };
	for (let i = 0; i < argv.length; i++) {
		const [flag, inline] = argv[i].split(/=(.*)/s, 2);
		const value = inline ?? argv[++i];
		if (value === undefined) throw new Error(`${flag} needs a value`);
		if (flag === '--port') {
			options.port = Number(value);
			if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
				throw new Error(`--port must be a port number, got ${value}`);
			}
		} else if (flag === '--seed') {
			options.seed = value;
		} else {
			throw new Error(`unknown argument ${flag} (usage: --port N --seed FILE)`);
		}
	}
	return options;
}

/** Starts and seeds the double, then announces its URL through `print`. */
export async function startFromCli(
	argv: string[],
	print: (line: string) => void,
): Promise<GraphDouble> {
	const options = parseArgs(argv);
	// Read the seed before listening, so a bad file fails without leaving a server behind.
	const seed = options.seed ? seedFromJson(JSON.parse(readFileSync(options.seed, 'utf8'))) : null;
	const double = await GraphDouble.start({ port: options.port });
	try {
		for (const app of seed?.apps ?? []) double.addApp(app);
		for (const token of seed?.tokens ?? []) double.addToken(token);
	} catch (error) {
		await double.stop();
		throw error;
	}
	print(JSON.stringify({ url: double.url }));
	return double;
}

async function main(): Promise<void> {
	const double = await startFromCli(process.argv.slice(2), (line) => {
		process.stdout.write(`${line}\n`);
	});
	const shutdown = (): void => {
		double.stop().catch((error: unknown) => {
			process.stderr.write(`graph-double: stop failed: ${String(error)}\n`);
			process.exitCode = 1;
		});
	};
	process.once('SIGINT', shutdown);
	process.once('SIGTERM', shutdown);
}

if (require.main === module) {
	main().catch((error: unknown) => {
		process.stderr.write(`graph-double: ${error instanceof Error ? error.message : String(error)}\n`);
		process.exitCode = 1;
	});
}
