import type {
	ICredentialDataDecryptedObject,
	ICredentialTestFunctions,
	ICredentialsDecrypted,
	INodeCredentialTestResult,
} from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { GraphClient } from '../graph/GraphClient';
import { classifyGraphError } from '../graph/classify';
import { GraphError } from '../graph/GraphError';
import { authorizedTransport } from '../../test/support/fetchTransport';
import { CredentialSettingError, graphEndpoint } from '../graph/settings';
import type { MetaCredentials } from '../graph/types';
import { toInspectRecord } from '../policy/inspectRecord';
import { describeToken } from '../policy/tokenWords';
import { TokenInputError, normalizeToken } from '../policy/tokenInput';

/**
 * The credential dialog's test: inspects the token with `debug_token` and says in words what it
 * is and when it dies; a dead token fails the test with the classified reason and what to do.
 */
export async function metaTokenApiTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted<ICredentialDataDecryptedObject>,
): Promise<INodeCredentialTestResult> {
	const credentials = (credential.data ?? {}) as unknown as MetaCredentials;
	try {
		const token = normalizeToken(credentials.accessToken, 'Access Token');
		const endpoint = graphEndpoint(credentials);
		const client = new GraphClient({
			transport: authorizedTransport({ ...credentials, appsecretProof: endpoint.appsecretProof }),
			baseUrl: endpoint.baseUrl,
			version: endpoint.version,
			appId: credentials.appId?.trim() || undefined,
			appSecret: credentials.appSecret?.trim() || undefined,
			secrets: [token],
			sleep,
			maxAttempts: 2,
			// Someone is waiting on the credential dialog: one short pause for a rate limit, no more.
			maxRateLimitWaitMs: 1000,
			timeoutMs: 15_000,
		});
		// The app token can read a token that already died; a token alone can only inspect itself.
		const data = await client.debugToken(token, { accessToken: client.appToken() ?? token });
		const nowMs = Date.now();
		const record = toInspectRecord(token, data, { nowMs });
		if (!record.isValid || record.status === 'expired') {
			// Worded by the same classification as every Graph error: what happened, what to do.
			const verdict = classifyGraphError(
				{
					code: record.error?.code ?? 190,
					error_subcode: record.error?.subcode ?? (record.status === 'expired' ? 463 : undefined),
					message: record.error?.message ?? 'Error validating access token: Session has expired',
				},
				{ nowMs, secrets: [token] },
			);
			return { status: 'Error', message: verdict.message };
		}
		return { status: 'OK', message: describeToken(record, nowMs) };
	} catch (error) {
		// Only our own errors are worded for users (and scrubbed of secrets); others stay generic.
		const known =
			error instanceof GraphError ||
			error instanceof TokenInputError ||
			error instanceof CredentialSettingError;
		return {
			status: 'Error',
			message: known ? (error as Error).message : 'The token could not be checked',
		};
	}
}
