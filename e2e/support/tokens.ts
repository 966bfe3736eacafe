/** Token strings and credentials for seeding the double and importing into n8n. */
import { createHash } from 'crypto';

import type { CredentialImport } from './n8n';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A token-shaped string ('EAA' + 40 alphanumerics), the same for the same label. */
export function tokenFor(label: string): string {
	const digest = createHash('sha256').update(`meta-token-e2e:${label}`).digest();
	let token = 'EAA';
	for (let i = 0; i < 40; i++) token += ALPHANUMERIC[digest[i % digest.length] % ALPHANUMERIC.length];
	return token;
}

/** First 16 hex of SHA-256, as the node's tokenFingerprint. */
export function fingerprint(token: string): string {
	return createHash('sha256').update(token).digest('hex').slice(0, 16);
}

export const DAY = 86_400;

export function nowSeconds(): number {
	return Math.floor(Date.now() / 1000);
}

export interface TestApp {
	id: string;
	name: string;
	secret: string;
}

export const REPORTING_APP: TestApp = { id: '1001', name: 'Reporting App', secret: 'reporting-app-secret-e2e' };

/** A Meta Token API credential pointing at the double. */
export function metaCredential(
	id: string,
	name: string,
	accessToken: string,
	baseUrl: string,
	app: TestApp | null = REPORTING_APP,
): CredentialImport {
	return {
		id,
		name,
		type: 'metaTokenApi',
		data: {
			accessToken,
			appId: app?.id ?? '',
			appSecret: app?.secret ?? '',
			graphApiVersion: 'v25.0',
			proofMode: app ? 'auto' : 'off',
			baseUrl,
		},
	};
}
