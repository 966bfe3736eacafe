/**
 * The token record: what the package learned when it minted a token, and when it describes the
 * token it is asked about.
 */
import { formatTokenRecord, recordMintedToken, tokenRecordFor } from '../../nodes/policy/tokenRecord';
import { refreshWindow } from '../../nodes/policy/refreshWindow';
import { tokenFingerprint } from '../../nodes/policy/tokenIdentity';

const TOKEN = 'IGAAlongLivedToken0000000000001';
const DAY_S = 86_400;

describe('token record', () => {
	it('rounds the issue time up, so the 24-hour gate never opens before Meta\'s', () => {
		const record = recordMintedToken(TOKEN, 1_000_000_400, 60 * DAY_S);
		expect(record).toEqual({ fingerprint: tokenFingerprint(TOKEN), issuedAt: 1_000_001, expiresAt: 1_000_001 + 60 * DAY_S });
		// Meta may have minted it as late as 1_000_000.4 s: at issuedAt + 24 h − 1 s the window is still shut.
		expect(refreshWindow(record, (record.issuedAt + DAY_S - 1) * 1000, DAY_S).verdict).not.toBe('open');
		expect(refreshWindow(record, (record.issuedAt + DAY_S) * 1000, DAY_S).verdict).toBe('open');
	});

	it('has no expiry when Meta gave none', () => {
		expect(recordMintedToken(TOKEN, 5_000, undefined)).toEqual({ fingerprint: tokenFingerprint(TOKEN), issuedAt: 5 });
	});

	it('describes only the token it was written for', () => {
		const stored = formatTokenRecord(recordMintedToken(TOKEN, 5_000, 60 * DAY_S));
		expect(tokenRecordFor(` ${TOKEN} `, stored)?.issuedAt).toBe(5);
		expect(tokenRecordFor('IGAAanotherTokenPastedByHand0001', stored)).toBeUndefined();
	});

	it.each([undefined, '', 'not json', '[]', '{"fingerprint":1,"issuedAt":5}', JSON.stringify({ fingerprint: tokenFingerprint(TOKEN) })])(
		'reads nothing from %p',
		(stored) => {
			expect(tokenRecordFor(TOKEN, stored)).toBeUndefined();
		},
	);
});
