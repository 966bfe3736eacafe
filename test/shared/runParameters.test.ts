/**
 * The per-item parameter reader (nodes/shared/runParameters.ts) against n8n's own answer: for
 * every item and every form of the parameter, `itemParameter` gives exactly what n8n-core's
 * `ExecuteContext.getNodeParameter` gives (value and type, or the same error), and it takes its
 * shortcut — no n8n evaluation — only where it says it does.
 */
import type { ExecuteContext } from 'n8n-core';
import type { IDataObject, INodeType } from 'n8n-workflow';

import { MetaToken } from '../../nodes/MetaToken/MetaToken.node';
import { itemParameter, plainFieldReference, readShortcuts } from '../../nodes/shared/runParameters';
import { executeContext } from '../../tools/n8n-harness/n8nHarness';

const node = new MetaToken();
/** The node as an AI agent's tool: same description, a type ending in "Tool". */
const tool: INodeType = { description: { ...node.description, name: 'metaTokenTool' } };

/** Every kind of value an item's field can hold, the field missing, and inherited names. */
const VALUES: unknown[] = [
	'EAAvalidToken123',
	'  EAApadded  ',
	'Bearer EAAprefixed',
	'bearer\tEAAtab',
	'',
	'   ',
	'Bearer',
	'EAA one, EAA two',
	'ünïcødé 🔑 client',
	'\u00a0EAAnbsp\u2028',
	'x'.repeat(3000),
	null,
	0,
	-0,
	42,
	1.5,
	true,
	false,
	{ nested: 'EAAinside' },
	{},
	['EAAinList'],
	[],
];

function items(): IDataObject[] {
	const list: IDataObject[] = VALUES.map((value, index) => ({ token: value, name: value, ['client token']: value, index } as IDataObject));
	list.push({}, { other: 'EAAother' }, { token: undefined });
	return list;
}

type Outcome = { value: unknown; type: string } | { threw: string };

function outcomeOf(read: () => unknown): Outcome {
	try {
		const value = read();
		return { value, type: value === null ? 'null' : Array.isArray(value) ? 'array' : Object.is(value, -0) ? '-0' : typeof value };
	} catch (error) {
		return { threw: (error as Error).message };
	}
}

function contextFor(token: string, nodeType: INodeType = node): ExecuteContext {
	return executeContext(nodeType, {
		parameters: { operation: 'inspect', tokenSource: 'input', token },
		credentials: {},
		items: items(),
	}).context;
}

/** The parameter forms: plain field references (the shortcut) and everything else (n8n evaluates). */
const SHORTCUT_FORMS = [
	'={{ $json.token }}',
	'={{$json.token}}',
	'={{\t$json.name \t}}',
	'={{ $json["token"] }}',
	"={{ $json['name'] }}",
	'={{ $json[ "client token" ] }}',
	'={{ $json.missing }}',
];
const N8N_FORMS = [
	'={{ $json.token }} ',
	' ={{ $json.token }}',
	'= {{ $json.token }}',
	'={{ $json.token.trim() }}',
	'={{ $json.token || "none" }}',
	'={{ $json.nested.deep }}',
	'={{ $json.constructor }}',
	'={{ $json.__proto__ }}',
	'={{ $json["__proto__"] }}',
	'={{ $json[\'a"b\'] }}',
	'={{ $json.token }}{{ $json.name }}',
	'=Bearer {{ $json.token }}',
	'={{ $json\n.token }}',
	'EAAfixedToken',
	'',
];
/** Plain references to a name every object inherits: the reader sees it is not the item's own field. */
const INHERITED_FORMS = ['={{ $json.toString }}', '={{ $json["hasOwnProperty"] }}'];

describe('plainFieldReference', () => {
	it('names the field of exactly one plain $json field reference', () => {
		expect(SHORTCUT_FORMS.map(plainFieldReference)).toEqual(['token', 'token', 'name', 'token', 'name', 'client token', 'missing']);
	});

	it('leaves every other form to n8n', () => {
		for (const form of N8N_FORMS) expect([form, plainFieldReference(form)]).toEqual([form, undefined]);
		for (const form of [undefined, null, 42, { value: '={{ $json.token }}' }]) expect(plainFieldReference(form)).toBeUndefined();
	});
});

describe('itemParameter gives what n8n gives, item by item', () => {
	afterEach(() => {
		readShortcuts.enabled = true;
		jest.restoreAllMocks();
	});

	it.each([...SHORTCUT_FORMS, ...N8N_FORMS, ...INHERITED_FORMS])('for %j', (form) => {
		const context = contextFor(form);
		const read = itemParameter(context, context.getInputData(), 'token', '');
		const all = context.getInputData().map((_, index) => index);
		const ours = all.map((index) => outcomeOf(() => read(index)));
		const n8ns = all.map((index) => outcomeOf(() => context.getNodeParameter('token', index, '')));
		expect(ours).toEqual(n8ns);
		// Not vacuous: the forms n8n evaluates really give strings, numbers, null, objects, undefined.
		if (form === '={{ $json.token }}') {
			expect(new Set(n8ns.map((outcome) => ('type' in outcome ? outcome.type : 'threw')))).toEqual(
				new Set(['string', 'null', 'number', '-0', 'boolean', 'object', 'array', 'undefined']),
			);
		}
	});

	it('reads a plain field reference from the item, and only objects and lists through n8n', () => {
		const context = contextFor('={{ $json.token }}');
		const spy = jest.spyOn(context, 'getNodeParameter');
		const read = itemParameter(context, context.getInputData(), 'token', '');
		const values = context.getInputData().map((_, index) => read(index));
		const evaluated = spy.mock.calls.map(([, index]) => index as number);
		expect(evaluated).toEqual(
			values.flatMap((value, index) => (value !== null && typeof value === 'object' ? [index] : [])),
		);
		expect(evaluated).toHaveLength(4);
	});

	it('evaluates an inherited name through n8n for every item', () => {
		for (const form of INHERITED_FORMS) {
			const context = contextFor(form);
			const spy = jest.spyOn(context, 'getNodeParameter');
			const read = itemParameter(context, context.getInputData(), 'token', '');
			context.getInputData().forEach((_, index) => outcomeOf(() => read(index)));
			expect(spy).toHaveBeenCalledTimes(context.getInputData().length);
		}
	});

	it('evaluates through n8n for every item with the shortcuts off, and for a tool', () => {
		readShortcuts.enabled = false;
		const context = contextFor('={{ $json.token }}');
		const spy = jest.spyOn(context, 'getNodeParameter');
		const read = itemParameter(context, context.getInputData(), 'token', '');
		context.getInputData().forEach((_, index) => read(index));
		expect(spy).toHaveBeenCalledTimes(context.getInputData().length);

		readShortcuts.enabled = true;
		const asTool = contextFor('={{ $json.token }}', tool);
		const toolSpy = jest.spyOn(asTool, 'getNodeParameter');
		const toolRead = itemParameter(asTool, asTool.getInputData(), 'token', '');
		asTool.getInputData().forEach((_, index) => toolRead(index));
		expect(toolSpy).toHaveBeenCalledTimes(asTool.getInputData().length);
	});

	it('reads a fixed value once for the run', () => {
		const context = contextFor('EAAfixedToken');
		const spy = jest.spyOn(context, 'getNodeParameter');
		const read = itemParameter(context, context.getInputData(), 'token', '');
		expect(context.getInputData().map((_, index) => read(index))).toEqual(context.getInputData().map(() => 'EAAfixedToken'));
		expect(spy).toHaveBeenCalledTimes(1);
	});
});
