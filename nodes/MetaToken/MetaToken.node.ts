import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { metaTokenApiTest } from '../shared/credentialTest';
import { properties, router } from './actions/router';

export class MetaToken implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Meta Token',
		name: 'metaToken',
		icon: { light: 'file:metaToken.svg', dark: 'file:metaToken.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] }}',
		description:
			'Inspect, exchange, refresh, generate, list and revoke Meta (Facebook) Graph API access tokens',
		defaults: { name: 'Meta Token' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'metaTokenApi',
				required: true,
				testedBy: 'metaTokenApiTest',
			},
			{
				name: 'metaTokenN8nApi',
				required: true,
				displayOptions: { show: { saveToCredential: [true] } },
			},
		],
		properties,
	};

	methods = {
		credentialTest: { metaTokenApiTest },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
