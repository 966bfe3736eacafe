/**
 * The two credential type names the nodes ask n8n for. Users' saved workflows refer to them: they
 * never change. Their own file because the credentials, both nodes and the save step all name them.
 */
import type { INode, INodeCredentialsDetails } from 'n8n-workflow';

/** The Meta token, app id and secret: `credentials/MetaTokenApi.credentials.ts`. */
export const META_CREDENTIAL_TYPE = 'metaTokenApi';

/**
 * n8n's own public API, for Save to Credential and Read History Through Public API:
 * `credentials/MetaTokenN8nApi.credentials.ts`.
 */
export const N8N_API_CREDENTIAL_TYPE = 'metaTokenN8nApi';

/** The node's Meta Token API credential as the workflow names it (its id and name), if it has one. */
export function metaCredentialOf(context: { getNode(): INode }): INodeCredentialsDetails | undefined {
	return context.getNode().credentials?.[META_CREDENTIAL_TYPE];
}
