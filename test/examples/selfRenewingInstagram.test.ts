/**
 * examples/self-renewing-instagram-token.json as a user imports it: a weekly Refresh Long-Lived
 * Token with Save to Credential into the node's own Instagram credential, Slack only on failure,
 * and the Meta Token Trigger on the same credential as the safety net. The placeholders are the
 * ones the e2e suite and the demo fill in at import (e2e/support/examples.ts).
 */
import { readFileSync } from 'fs';
import { join } from 'path';

interface Node {
	name: string;
	type: string;
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	onError?: string;
}
interface Workflow {
	nodes: Node[];
	connections: Record<string, { main: Array<Array<{ node: string }>> }>;
}

const workflow = JSON.parse(
	readFileSync(join(__dirname, '..', '..', 'examples', 'self-renewing-instagram-token.json'), 'utf8'),
) as Workflow;
const byName = (name: string): Node => {
	const node = workflow.nodes.find((candidate) => candidate.name === name);
	if (!node) throw new Error(`no node ${name}`);
	return node;
};
const next = (name: string, output = 0): string[] =>
	(workflow.connections[name]?.main[output] ?? []).map((target) => target.node);

describe('the self-renewing Instagram token example', () => {
	it('every node name is unique and every connection leads to a node', () => {
		const names = workflow.nodes.map((node) => node.name);
		expect(new Set(names).size).toBe(names.length);
		for (const [from, { main }] of Object.entries(workflow.connections)) {
			expect(names).toContain(from);
			for (const target of main.flat()) expect(names).toContain(target.node);
		}
	});

	it('a weekly schedule runs Refresh Long-Lived Token on Instagram, saving into its own credential', () => {
		const schedule = byName('Every week');
		expect(schedule.type).toBe('n8n-nodes-base.scheduleTrigger');
		expect(schedule.parameters.rule).toEqual({ interval: [{ field: 'weeks', triggerAtDay: [1], triggerAtHour: 6 }] });
		expect(next('Every week')).toEqual(['Refresh Instagram token']);
		const refresh = byName('Refresh Instagram token');
		expect(refresh.type).toBe('n8n-nodes-meta-token.metaToken');
		expect(refresh.parameters).toMatchObject({
			platform: 'instagram',
			operation: 'refreshLongLivedToken',
			saveToCredential: true,
			credentialId: '',
		});
		// A failure must reach the IF (and Slack), not stop the workflow silently.
		expect(refresh.onError).toBe('continueRegularOutput');
		expect(refresh.credentials?.metaTokenApi.id).toBe('__META_TOKEN_CREDENTIAL_ID__');
		expect(refresh.credentials?.metaTokenN8nApi.id).toBe('__N8N_API_CREDENTIAL_ID__');
	});

	it('Slack only on failure', () => {
		expect(next('Refresh Instagram token')).toEqual(['Refresh failed?']);
		expect(next('Refresh failed?', 0)).toEqual(['Post failure to Slack']);
		expect(next('Refresh failed?', 1)).toEqual(['Refreshed']);
		expect(byName('Refreshed').type).toBe('n8n-nodes-base.noOp');
		expect(JSON.stringify(byName('Refresh failed?').parameters)).toContain('!!$json.error');
	});

	it('the trigger watches the same credential, with every event (Expiry Unknown included) left at its default', () => {
		const trigger = byName('Meta Token Trigger');
		expect(trigger.type).toBe('n8n-nodes-meta-token.metaTokenTrigger');
		expect(trigger.credentials?.metaTokenApi).toEqual(byName('Refresh Instagram token').credentials?.metaTokenApi);
		expect(trigger.parameters.events).toBeUndefined();
		expect(next('Meta Token Trigger')).toEqual(['Post alert to Slack']);
	});

	it('sticky notes explain the renewal and the safety net', () => {
		const notes = workflow.nodes.filter((node) => node.type === 'n8n-nodes-base.stickyNote');
		expect(notes.map((note) => note.name)).toEqual(['How it keeps the token alive', 'The safety net']);
		expect(String(notes[0].parameters.content)).toMatch(/24 hours/);
	});
});
