/**
 * The refresh window of an Instagram or Threads long-lived token: Meta refreshes one only at least
 * 24 hours after it was minted and before it expires. When the credential's record describes the
 * token, a refresh outside the window is refused before sending, saying when it can be done.
 */
import { closedWindowMessage, refreshWindow } from '../../nodes/policy/refreshWindow';
import type { TokenRecord } from '../../nodes/policy/tokenRecord';

const DAY = 86_400;
const ISSUED = Date.UTC(2026, 11, 1, 9, 30, 15) / 1000;
const record: TokenRecord = { fingerprint: 'f'.repeat(16), issuedAt: ISSUED, expiresAt: ISSUED + 60 * DAY };
const at = (seconds: number) => seconds * 1000;

describe('refreshWindow', () => {
	it('knows nothing without a record: Meta decides', () => {
		expect(refreshWindow(undefined, at(ISSUED), DAY)).toEqual({ verdict: 'unknown' });
	});

	it('is closed until the token is 24 hours old, open from that second on', () => {
		expect(refreshWindow(record, at(ISSUED), DAY)).toEqual({ verdict: 'tooYoung', opensAt: ISSUED + DAY });
		expect(refreshWindow(record, at(ISSUED + DAY - 1), DAY)).toEqual({ verdict: 'tooYoung', opensAt: ISSUED + DAY });
		expect(refreshWindow(record, at(ISSUED + DAY), DAY)).toEqual({ verdict: 'open' });
		expect(refreshWindow(record, at(ISSUED + 59 * DAY), DAY)).toEqual({ verdict: 'open' });
	});

	it('is closed for good from the recorded expiry on', () => {
		expect(refreshWindow(record, at(ISSUED + 60 * DAY - 1), DAY)).toEqual({ verdict: 'open' });
		expect(refreshWindow(record, at(ISSUED + 60 * DAY), DAY)).toEqual({ verdict: 'expired', expiredAt: ISSUED + 60 * DAY });
		expect(refreshWindow(record, at(ISSUED + 400 * DAY), DAY)).toEqual({ verdict: 'expired', expiredAt: ISSUED + 60 * DAY });
	});

	it('without a recorded expiry, knows only the age', () => {
		const noExpiry: TokenRecord = { fingerprint: record.fingerprint, issuedAt: ISSUED };
		expect(refreshWindow(noExpiry, at(ISSUED + 3600), DAY).verdict).toBe('tooYoung');
		expect(refreshWindow(noExpiry, at(ISSUED + 400 * DAY), DAY)).toEqual({ verdict: 'open' });
	});
});

describe('closedWindowMessage', () => {
	it('says when a young token can be refreshed (rounded up to the minute) and that nothing was sent', () => {
		const now = at(ISSUED + 3600);
		const message = closedWindowMessage(refreshWindow(record, now, DAY), 'Instagram', now);
		expect(message).toMatch(/^This Instagram token was minted less than 24 hours ago/);
		expect(message).toContain('it can be refreshed from 2026-12-02 09:31 UTC (in 23 hours)');
		expect(message).toContain('Nothing was sent.');
	});

	it('says an expired token cannot be refreshed, and how to get a new one', () => {
		const now = at(ISSUED + 61 * DAY);
		const message = closedWindowMessage(refreshWindow(record, now, DAY), 'Threads', now);
		expect(message).toMatch(/^This Threads token expired at 2027-01-30 09:30 UTC, and Meta refreshes only tokens that have not expired/);
		expect(message).toContain('Nothing was sent.');
		expect(message).toContain('Exchange for Long-Lived Token');
	});

	it('has nothing to say when the window is open or unknown', () => {
		expect(closedWindowMessage({ verdict: 'open' }, 'Instagram', at(ISSUED))).toBeUndefined();
		expect(closedWindowMessage({ verdict: 'unknown' }, 'Instagram', at(ISSUED))).toBeUndefined();
	});
});
