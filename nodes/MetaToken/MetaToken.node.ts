import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { n8nApiCredentialDisplay, properties } from './actions/description';
import { router } from './actions/router';
import { META_CREDENTIAL_TYPE, N8N_API_CREDENTIAL_TYPE } from '../shared/credentialTypes';

export class MetaToken implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Meta Token',
		name: 'metaToken',
		icon: { light: 'file:../icons/metaToken.svg', dark: 'file:../icons/metaToken.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] }}',
		description:
			'Inspect, exchange, refresh, generate, list and revoke Meta access tokens (Facebook, Instagram, Threads)',
		defaults: { name: 'Meta Token' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		// Labels of their own: without them the editor calls both selectors just "Credential" when
		// Save to Credential (or Read History Through Public API) shows the second one.
		credentials: [
			{
				name: META_CREDENTIAL_TYPE,
				displayName: 'Meta Token API Credential',
				required: true,
			},
			{
				name: N8N_API_CREDENTIAL_TYPE,
				displayName: 'n8n API Credential',
				required: true,
				displayOptions: n8nApiCredentialDisplay,
			},
		],
		properties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
