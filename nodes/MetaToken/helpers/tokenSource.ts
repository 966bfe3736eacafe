/**
 * The token an operation works on: the Token Source (credential or per item) and Token fields, and
 * the token they yield. Users' saved workflows refer to every name and value here.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { normalizeToken } from '../../policy/tokenInput';
import type { GraphSession } from '../../shared/graphSession';
import { itemParameter, runParameter } from '../../shared/runParameters';

/** Where an operation takes its token from: the credential, or a field filled per item. */
export type TokenSource = 'credential' | 'input';

const TOKEN_FIELD = 'Token';

/** `tokenSource` and `token`, shown for the given operations. */
export function tokenSourceFields(operations: string[], what: string): INodeProperties[] {
	return [
		{
			displayName: 'Token Source',
			name: 'tokenSource',
			type: 'options',
			default: 'credential',
			displayOptions: { show: { operation: operations } },
			description: `Where to take ${what} from`,
			options: [
				{
					name: 'Credential',
					value: 'credential',
					description: 'The Access Token stored in the Meta Token API credential',
				},
				{
					name: 'Input',
					value: 'input',
					description:
						'A token given per item, usually an expression reading the token field of each incoming item, so one run can handle a whole sheet of client tokens',
				},
			],
		},
		{
			displayName: 'Token',
			name: 'token',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			displayOptions: { show: { operation: operations, tokenSource: ['input'] } },
			description: 'The access token to use. Surrounding spaces and a "Bearer " prefix are removed.',
		},
	];
}

/**
 * A reader of the token each item of `items` (the node's input) works on, cleaned, or a
 * TokenInputError naming the field; the Token Source is read once for the run unless it is an
 * expression, and a Token that is a plain field reference is read from the item (runParameters.ts).
 */
export function tokenReader(
	context: IExecuteFunctions,
	session: GraphSession,
	items: INodeExecutionData[] = context.getInputData(),
): (itemIndex: number) => string {
	const source = runParameter<TokenSource>(context, 'tokenSource', 'credential');
	let token: ((itemIndex: number) => unknown) | undefined;
	return (itemIndex) => {
		if (source(itemIndex) === 'input') {
			token ??= itemParameter(context, items, 'token', '');
			return normalizeToken(token(itemIndex), TOKEN_FIELD);
		}
		return normalizeToken(session.credentials.accessToken, 'Access Token (credential)');
	};
}

/** The token this item works on, cleaned, or a TokenInputError naming the field. */
export function itemToken(context: IExecuteFunctions, session: GraphSession, itemIndex: number): string {
	return tokenReader(context, session)(itemIndex);
}
