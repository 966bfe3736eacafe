/**
 * What one operation of the Meta Token node is: its entry in the Operation list, its own fields,
 * what kind of operation it is, and what it does — all in its *.operation.ts file, so that
 * actions/description.ts can derive every list of operations from the one list it keeps.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { MetaPlatform } from '../../meta/platform';
import type { GraphSession } from '../../shared/graphSession';

/** What an operation does with the input items, given the run's Graph session. */
export type OperationExecute = (
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	session: GraphSession,
) => Promise<INodeExecutionData[]>;

/** One operation of the Meta Token node: everything the node needs to offer, show and run it. */
export interface MetaTokenOperation<Value extends string = string> {
	/** The `operation` parameter's value: saved in users' workflows, never renamed. */
	value: Value;
	/** Its entry in the Operation list. */
	option: { name: string; action: string; description: string };
	/**
	 * What its entry says instead on another platform's Operation list, where the option's own
	 * words (written for Facebook) would not hold: e.g. Instagram has no debug_token.
	 */
	platformOption?: Partial<Record<MetaPlatform, { action?: string; description?: string }>>;
	/** What its Token Source and Token fields call the token ("the token", …); absent: it has none. */
	token?: string;
	/** Its own fields, each shown only for this operation. */
	description: INodeProperties[];
	/** Only reads: an agent's tool may run it without "Allow All Operations". */
	readOnly?: true;
	/** Mints a token: Save to Credential, the Retry On Fail refusal and the tool's save rule apply. */
	minting?: true;
	/** Reads n8n's public API besides Save to Credential: the n8n API credential is offered. */
	usesN8nApi?: true;
	execute: OperationExecute;
}

/** Types an operation's object and keeps its value literal (for the union of operation values). */
export function defineOperation<const Value extends string>(operation: MetaTokenOperation<Value>): MetaTokenOperation<Value> {
	return operation;
}

/** A notice shown for one operation. */
export function operationNotice(name: string, operation: string, text: string): INodeProperties {
	return { displayName: text, name, type: 'notice', default: '', displayOptions: { show: { operation: [operation] } } };
}
