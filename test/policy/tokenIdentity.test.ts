import { tokenFingerprint, tokenHint } from '../../nodes/policy/tokenIdentity';
import { TOKEN } from './recordFixtures';

describe('tokenFingerprint', () => {
	it('is the first 16 hex digits of SHA-256 (known vector)', () => {
		// echo -n EAAtoken123 | sha256sum → 456d4603599ed7a2f9325cf62d3448642ddf3631e14d730d910fbccc8907584c
		expect(tokenFingerprint('EAAtoken123')).toBe('456d4603599ed7a2');
	});

	it('differs between tokens and ignores surrounding whitespace', () => {
		expect(tokenFingerprint('EAAtoken124')).not.toBe('456d4603599ed7a2');
		expect(tokenFingerprint(' EAAtoken123\n')).toBe('456d4603599ed7a2');
	});
});

describe('tokenHint', () => {
	it('shows first 6 and last 4 of a full-size token', () => {
		expect(tokenHint(TOKEN)).toBe('EAABxx…ZZ99');
	});

	it.each(['', 'E', 'EA', 'EAA', 'EAAtoken123', 'EAAtoken123456789', 'EAA' + 'a'.repeat(26)])(
		'reveals at most a third of short token %j',
		(token) => {
			const hint = tokenHint(token);
			const shown = hint.replace('…', '').length;
			expect(hint).toContain('…');
			expect(shown).toBeLessThanOrEqual(Math.floor(token.length / 3));
		},
	);

	it('gives short tokens a recognisable head and tail', () => {
		expect(tokenHint('EAAtoken123')).toBe('EA…3');
	});
});
