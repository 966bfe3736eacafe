/**
 * The example workflows in examples/ carry placeholders for what differs per installation:
 * credential ids, the Slack webhook URL, the client token list. The demo and the e2e suite
 * fill them in at import time, so both run exactly what a user imports.
 */
import { readFileSync } from 'fs';
import { join } from 'path';

import type { Workflow, WorkflowNode } from './n8n';
import { repoRoot } from './paths';

export const EXAMPLES = {
	alert: 'alert-slack-before-meta-token-expires.json',
	selfRenewing: 'self-renewing-system-user-token.json',
	selfRenewingInstagram: 'self-renewing-instagram-token.json',
	agencyReport: 'agency-token-health-report.json',
	agencyWatch: 'agency-token-watch.json',
	adsInsights: 'ads-insights-with-meta-token-credential.json',
	renewForm: 'renew-user-token-form.json',
} as const;

export const PLACEHOLDERS = {
	metaTokenCredentialId: '__META_TOKEN_CREDENTIAL_ID__',
	n8nApiCredentialId: '__N8N_API_CREDENTIAL_ID__',
	slackWebhookUrl: 'https://hooks.slack.com/services/REPLACE/WITH/YOUR-WEBHOOK',
	dataTableId: '__DATA_TABLE_ID__',
	formLoginCredentialId: '__FORM_LOGIN_CREDENTIAL_ID__',
	graphBaseUrl: 'https://graph.facebook.com',
	adAccountId: 'REPLACE_WITH_AD_ACCOUNT_ID',
} as const;

export interface ExampleValues {
	metaTokenCredential?: { id: string; name: string };
	n8nApiCredential?: { id: string; name: string };
	slackWebhookUrl?: string;
	/** For the agency report: the list its "Client tokens" Code node emits. */
	clients?: Array<{ client: string; token: string }>;
	/** For the trigger: replaces its poll schedule (e.g. every minute in the e2e suite). */
	pollTimes?: unknown;
	/** For the agency watch: the n8n Data table its "Client tokens" node reads. */
	dataTable?: { id: string; name: string };
	/** Replaces the rule of every Schedule Trigger (e.g. every few seconds in the e2e suite). */
	scheduleRule?: unknown;
	/** For the trigger: its Renewal Link (the renewal form's production URL). */
	renewalUrl?: string;
	/** For the renewal form: the Basic Auth credential of its Form Trigger. */
	formLoginCredential?: { id: string; name: string };
	/** For HTTP Request nodes calling the Graph API: the double's URL instead of https://graph.facebook.com. */
	graphBaseUrl?: string;
	/** For the insights example: the ad account, without `act_`. */
	adAccountId?: string;
}

export function loadExample(file: string, values: ExampleValues = {}): Workflow {
	const workflow = JSON.parse(readFileSync(join(repoRoot, 'examples', file), 'utf8')) as Workflow;
	for (const node of workflow.nodes) fillNode(node, values);
	return workflow;
}

function fillNode(node: WorkflowNode, values: ExampleValues): void {
	const credentials = node.credentials ?? {};
	if (values.metaTokenCredential && credentials.metaTokenApi?.id === PLACEHOLDERS.metaTokenCredentialId) {
		credentials.metaTokenApi = { ...values.metaTokenCredential };
	}
	if (values.n8nApiCredential && credentials.metaTokenN8nApi?.id === PLACEHOLDERS.n8nApiCredentialId) {
		credentials.metaTokenN8nApi = { ...values.n8nApiCredential };
	}
	if (values.slackWebhookUrl && node.parameters.url === PLACEHOLDERS.slackWebhookUrl) {
		node.parameters.url = values.slackWebhookUrl;
	}
	if (values.clients && typeof node.parameters.jsCode === 'string' && node.parameters.jsCode.includes('const clients = [')) {
		node.parameters.jsCode = node.parameters.jsCode.replace(
			/const clients = \[[\s\S]*?\n\];/,
			`const clients = ${JSON.stringify(values.clients, null, 2)};`,
		);
	}
	if (values.pollTimes !== undefined && node.type.endsWith('.metaTokenTrigger')) {
		node.parameters.pollTimes = values.pollTimes;
	}
	const table = node.parameters.dataTableId as { value?: string } | undefined;
	if (values.dataTable && table?.value === PLACEHOLDERS.dataTableId) {
		node.parameters.dataTableId = { ...table, value: values.dataTable.id, cachedResultName: values.dataTable.name };
	}
	if (values.scheduleRule !== undefined && node.type === 'n8n-nodes-base.scheduleTrigger') {
		node.parameters.rule = values.scheduleRule;
	}
	if (values.renewalUrl !== undefined && node.type.endsWith('.metaTokenTrigger')) {
		node.parameters.renewalUrl = values.renewalUrl;
	}
	if (values.formLoginCredential && credentials.httpBasicAuth?.id === PLACEHOLDERS.formLoginCredentialId) {
		credentials.httpBasicAuth = { ...values.formLoginCredential };
	}
	const url = node.parameters.url;
	if (typeof url === 'string' && url.startsWith(`${PLACEHOLDERS.graphBaseUrl}/`)) {
		let filled = url;
		if (values.graphBaseUrl) filled = values.graphBaseUrl + filled.slice(PLACEHOLDERS.graphBaseUrl.length);
		if (values.adAccountId) filled = filled.replace(`act_${PLACEHOLDERS.adAccountId}`, `act_${values.adAccountId}`);
		node.parameters.url = filled;
	}
}
