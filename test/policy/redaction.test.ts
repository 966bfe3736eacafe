import { redactSecrets } from '../../nodes/policy/redaction';

describe('redactSecrets', () => {
	it('removes tokens, app tokens, proofs and given secrets, folding lines', () => {
		const proof = 'a'.repeat(64);
		const out = redactSecrets(`EAA${'b'.repeat(30)} 123456|${'c'.repeat(32)} ${proof}\nmysecret`, ['mysecret']);
		expect(out).toBe('[redacted] [redacted] [redacted] [redacted]');
	});

	it('removes a piece of a token too (a cut paste or log line)', () => {
		expect(redactSecrets('fragment EAAabcdefghij12 end')).toBe('fragment [redacted] end');
	});
});
