/**
 * In real n8n (each major), the Token and Token Name read straight from the item when they are a
 * plain field reference (`{{ $json.token }}`: nodes/shared/runParameters.ts) give exactly what n8n's
 * own evaluation gives: one workflow runs Inspect and Check for Alerts twice side by side over the
 * same items — once with `{{ $json.token }}` / `{{ $json.name }}` (read from the item), once with
 * `{{ ($json.token) }}` / `{{ ($json.name) }}`, the same value but not a plain reference, so n8n's
 * expression engine evaluates it — and every output item, error and paired item must be equal.
 * The items are the bench's mix (valid, expiring, expired, invalidated, unknown, page and
 * system-user tokens) with pasted forms and bad input: spaces, "Bearer ", empty, missing, null,
 * numbers, booleans, objects, lists, unicode names.
 */
import { benchSeed, benchTokens } from '../scripts/bench/seed';
import { GraphDoubleProcess } from './support/graphDoubleProcess';
import type { RunResult } from './support/n8n';
import { N8nInstance } from './support/n8n';
import type { Major } from './support/paths';
import { n8nRuntime, selectedMajors } from './support/paths';
import { stopAll } from './support/processes';
import { packedTarball } from './support/tarball';
import { metaCredential } from './support/tokens';
import { emitItems, manualTrigger, metaTokenNode, workflow } from './support/workflowBuilder';

const TOKENS = benchTokens(120);
const CREDENTIAL = { id: 'mtShortcut00001', name: 'Reporting app' };

function items(): Array<Record<string, unknown>> {
	return TOKENS.map((token, index) => {
		const name = `Client ${index + 1}`;
		switch (index % 15) {
			case 3:
				return { token: `  Bearer ${token}\n`, name: `  ${name} ü🔑 ` };
			case 5:
				return { token: '', name };
			case 7:
				return { name };
			case 8:
				return { token: null, name: null };
			case 9:
				return { token: 12345, name: 678 };
			case 10:
				return { token: { token }, name };
			case 11:
				return { token: [token], name };
			case 12:
				return { token, name: { first: name } };
			case 13:
				return { token: true, name: false };
			case 14:
				return { token: TOKENS[index - 1], name: `Client ${index}` };
			default:
				return { token, name };
		}
	});
}

/** The pair of nodes under test: the plain field references, and the same values through n8n's engine. */
function pair(operation: 'inspect' | 'checkAlerts', form: 'field' | 'evaluated') {
	const token = form === 'field' ? '={{ $json.token }}' : '={{ ($json.token) }}';
	const tokenName = form === 'field' ? '={{ $json.name }}' : '={{ ($json.name) }}';
	const parameters = operation === 'inspect' ? { operation, tokenSource: 'input', token } : { operation, tokenSource: 'input', token, tokenName };
	return metaTokenNode(`${operation} ${form}`, parameters, CREDENTIAL.id, { continueOnFail: true });
}

function shortcutWorkflow() {
	const chains = (['inspect', 'checkAlerts'] as const).flatMap((operation) =>
		(['field', 'evaluated'] as const).map((form) => [emitItems(`Items for ${operation} ${form}`, items()), pair(operation, form)]),
	);
	return workflow('MetaTokenShortcut1', 'Read shortcut vs n8n evaluation', manualTrigger(), chains);
}

/** A node's output items (json and paired item), with readings of the clock near now replaced. */
function outputOf(run: RunResult | undefined, node: string): unknown[] {
	const task = run?.data.resultData.runData[node]?.[0] as { data?: { main: Array<Array<{ json: unknown; pairedItem?: unknown }> | null> } } | undefined;
	if (!task) throw new Error(`node "${node}" did not run`);
	const nowMs = Date.now();
	const near = (ms: number): boolean => Math.abs(ms - nowMs) < 3_600_000;
	return JSON.parse(JSON.stringify((task.data?.main[0] ?? []).map(({ json, pairedItem }) => ({ json, pairedItem }))), (_key, value: unknown) => {
		if (typeof value === 'number' && (near(value) || near(value * 1000))) return '<now>';
		if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value) && near(Date.parse(value))) return '<now>';
		return value;
	}) as unknown[];
}

describe.each(selectedMajors())('plain field references read from the item in real n8n %s.x', (major: Major) => {
	let double: GraphDoubleProcess;
	let n8n: N8nInstance;
	let run: RunResult | undefined;

	beforeAll(async () => {
		const started = Date.now();
		double = await GraphDoubleProcess.start(benchSeed(TOKENS));
		n8n = await N8nInstance.create(n8nRuntime(major), packedTarball());
		await n8n.importCredentials([metaCredential(CREDENTIAL.id, CREDENTIAL.name, TOKENS[7], double.url)]);
		await n8n.importWorkflows([shortcutWorkflow()]);
		const result = await n8n.execute('MetaTokenShortcut1');
		if (!result.ok) throw new Error(`shortcut workflow failed:\n${result.output.slice(-6000)}`);
		run = result.run;
		process.stdout.write(`n8n ${n8n.runtime.version}: setup + run in ${Date.now() - started} ms\n`);
	});

	afterAll(async () => {
		await n8n?.dispose();
		await double?.stop();
		await stopAll();
	});

	it('Inspect puts out the same records, errors and paired items either way', () => {
		const field = outputOf(run, 'inspect field') as Array<{ json: Record<string, unknown>; pairedItem: unknown }>;
		expect(field).toEqual(outputOf(run, 'inspect evaluated'));
		expect(field).toHaveLength(TOKENS.length);
		expect(new Set(field.map((item) => item.json.status ?? 'error'))).toEqual(new Set(['valid', 'expiring', 'expired', 'invalid', 'error']));
		const messages = new Set(field.filter((item) => item.json.error).map((item) => String((item.json.error as Record<string, unknown>).message ?? item.json.error)));
		expect(messages.size).toBeGreaterThanOrEqual(4);
	});

	it('Check for Alerts puts out the same alerts and errors either way', () => {
		const field = outputOf(run, 'checkAlerts field') as Array<{ json: Record<string, unknown> }>;
		expect(field).toEqual(outputOf(run, 'checkAlerts evaluated'));
		expect(field.some((item) => item.json.event === 'expiring')).toBe(true);
		expect(field.some((item) => typeof item.json.tokenName === 'string' && (item.json.tokenName as string).includes('ü🔑'))).toBe(true);
		expect(field.some((item) => item.json.error)).toBe(true);
	});
});
