/**
 * Recognising n8n's SSRF protection by the errors it throws, and naming the setting that allows a
 * host: what the Graph transport and the n8n public API client say when n8n refused to send.
 */
import type { INode } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { ssrfAllowAdvice, ssrfBlockedSentence, ssrfBlockOf } from '../../nodes/shared/ssrfProtection';
import { SsrfBlockedHostnameError, SsrfBlockedIpError, wrappedAsN8nDoes } from '../support/n8nSsrf';

const NODE: INode = { id: 'n', name: 'Meta Token', type: 'n8n-nodes-meta-token.metaToken', typeVersion: 1, position: [0, 0], parameters: {} };

describe('ssrfBlockOf', () => {
	it("finds n8n's block inside the NodeApiError its request helper wraps it in", () => {
		expect(ssrfBlockOf(wrappedAsN8nDoes(NODE, new SsrfBlockedIpError('127.0.0.1')))).toBe('restrictedAddress');
		expect(ssrfBlockOf(wrappedAsN8nDoes(NODE, new SsrfBlockedHostnameError('n8n.internal')))).toBe('blockedHostname');
		expect(ssrfBlockOf(new SsrfBlockedIpError('10.0.0.5'))).toBe('restrictedAddress');
	});

	it('finds it under an axios-style wrapper too, but no deeper than a few causes', () => {
		const once = Object.assign(new Error('connect failed'), { cause: new SsrfBlockedIpError('::1') });
		expect(ssrfBlockOf(wrappedAsN8nDoes(NODE, once))).toBe('restrictedAddress');
		let deep: Error = new SsrfBlockedIpError('127.0.0.1');
		for (let i = 0; i < 6; i++) deep = Object.assign(new Error('wrapper'), { cause: deep });
		expect(ssrfBlockOf(deep)).toBeUndefined();
	});

	it('is not fooled by words: only the error names n8n gives its SSRF errors count', () => {
		const lookalike = new Error('The request was blocked because it resolves to a restricted IP address');
		expect(ssrfBlockOf(wrappedAsN8nDoes(NODE, lookalike))).toBeUndefined();
		const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5678'), { code: 'ECONNREFUSED' });
		expect(ssrfBlockOf(new NodeApiError(NODE, refused as never))).toBeUndefined();
		expect(ssrfBlockOf({ name: 'toString' })).toBeUndefined();
		expect(ssrfBlockOf(undefined)).toBeUndefined();
		expect(ssrfBlockOf('SsrfBlockedIpError')).toBeUndefined();
	});
});

describe('the setting that allows a host', () => {
	it('names N8N_SSRF_ALLOWED_IP_RANGES with a CIDR for an IP address, which host-name rules do not match', () => {
		expect(ssrfAllowAdvice('http://127.0.0.1:5678/api/v1/credentials/7')).toContain(`add N8N_SSRF_ALLOWED_IP_RANGES=127.0.0.1/32 to n8n's environment`);
		expect(ssrfAllowAdvice('http://[::1]:5678')).toContain(`add N8N_SSRF_ALLOWED_IP_RANGES=::1/128 to n8n's environment`);
		expect(ssrfAllowAdvice('http://10.1.2.3:5678')).toMatch(/N8N_SSRF_ALLOWED_IP_RANGES=10\.1\.2\.3\/32 .*N8N_SSRF_ALLOWED_HOSTNAMES matches host names only.* restart n8n\.$/);
	});

	it('names N8N_SSRF_ALLOWED_HOSTNAMES for a host name', () => {
		expect(ssrfAllowAdvice('http://localhost:5678')).toContain(`add N8N_SSRF_ALLOWED_HOSTNAMES=localhost to n8n's environment`);
		expect(ssrfAllowAdvice('https://n8n.internal.example.com/')).toContain(`add N8N_SSRF_ALLOWED_HOSTNAMES=n8n.internal.example.com to n8n's environment`);
	});

	it('says what blocked which origin, never the path or query', () => {
		const sentence = ssrfBlockedSentence('http://127.0.0.1:5678/api/v1/credentials/7?secret=x', 'restrictedAddress', 'to check credential 7');
		expect(sentence).toBe(
			"n8n's SSRF protection (N8N_SSRF_PROTECTION_ENABLED) blocked the request to http://127.0.0.1:5678 to check credential 7: it is a loopback, private or otherwise restricted address.",
		);
		expect(ssrfBlockedSentence('https://n8n.internal', 'blockedHostname', 'x')).toContain('N8N_SSRF_BLOCKED_HOSTNAMES');
	});
});
