import type { GraphErrorClass } from '../../nodes/meta/types';
import type { Alert } from '../../nodes/policy/alerts';
import { evaluateAlerts } from '../../nodes/policy/alertPolicy';
import type { AlertEvent } from '../../nodes/policy/alertSettings';
import { ALERT_EVENTS } from '../../nodes/policy/alertSettings';
import { observationFromInspection } from '../../nodes/policy/observations';
import { tokenFingerprint } from '../../nodes/policy/tokenIdentity';
import {
	answer,
	CREDENTIAL,
	DAY,
	events,
	failed,
	HOUR,
	inspected,
	instagramSeen,
	MINUTE,
	sec,
	T0,
	thresholdsOf,
	TOKEN_A,
	TOKEN_B,
	TOKEN_IG,
	Trigger,
	userAnswer,
	walk,
} from './alertFixtures';

describe('expiry thresholds', () => {
	it('first poll alerts at once when a threshold is already crossed, for that threshold only', () => {
		const trigger = new Trigger();
		const alerts = trigger.see(TOKEN_A, userAnswer(T0 + 10 * DAY), T0);
		expect(alerts).toHaveLength(1);
		expect(alerts[0]).toMatchObject({
			event: 'expiring',
			severity: 'warning',
			threshold: 14,
			daysLeft: 10,
			message: 'Meta token "Acme Ads" (USER, app Reporting App) expires in 10 days, on 2026-11-11',
			credentialName: CREDENTIAL,
			tokenType: 'USER',
			application: 'Reporting App',
			tokenFingerprint: tokenFingerprint(TOKEN_A),
			tokenHint: 'EAABaa…AAAA',
			expiresAt: new Date(T0 + 10 * DAY).toISOString(),
			expiryCause: 'expires',
		});
	});

	it('first poll with several thresholds crossed: ONE alert for the lowest; the higher ones are done', () => {
		const trigger = new Trigger();
		const first = trigger.see(TOKEN_A, userAnswer(T0 + 2.5 * DAY), T0);
		expect(thresholdsOf(first)).toEqual([3]);
		// Later polls never go back to 14 or 7; the next alert is at 1 day.
		const later = walk(trigger, (now) => inspected(TOKEN_A, userAnswer(T0 + 2.5 * DAY), now), T0 + HOUR, T0 + 2 * DAY, HOUR);
		expect(thresholdsOf(later)).toEqual([1]);
		expect(later[0].at).toBe(T0 + 1.5 * DAY);
	});

	it('walking hour by hour from 20 days to past expiry: 14, 7, 3, 1, then expired — each once', () => {
		const trigger = new Trigger();
		const expiry = T0 + 20 * DAY;
		const alerts = walk(trigger, (now) => inspected(TOKEN_A, userAnswer(expiry), now), T0, expiry + 3 * DAY, HOUR);
		expect(alerts.map((a) => [a.event, a.threshold, a.severity, (expiry - a.at) / DAY])).toEqual([
			['expiring', 14, 'warning', 14],
			['expiring', 7, 'warning', 7],
			['expiring', 3, 'warning', 3],
			['expiring', 1, 'critical', 1],
			['expired', null, 'critical', 0],
		]);
	});

	it('crosses a threshold exactly at it, not 1 ms before', () => {
		const trigger = new Trigger();
		const expiry = T0 + 30 * DAY;
		expect(trigger.see(TOKEN_A, userAnswer(expiry), expiry - 14 * DAY - 1000)).toEqual([]);
		// Meta's dates are in seconds; one millisecond is enough for the policy.
		expect(trigger.see(TOKEN_A, userAnswer(expiry), expiry - 14 * DAY - 1)).toEqual([]);
		expect(thresholdsOf(trigger.see(TOKEN_A, userAnswer(expiry), expiry - 14 * DAY))).toEqual([14]);
		expect(trigger.see(TOKEN_A, userAnswer(expiry), expiry - 14 * DAY + MINUTE)).toEqual([]);
	});

	it('supports fractional thresholds', () => {
		const trigger = new Trigger({ thresholds: '1, 0.5, 0.25' });
		const expiry = T0 + 2 * DAY;
		const alerts = walk(trigger, (now) => inspected(TOKEN_A, userAnswer(expiry), now), T0, expiry - MINUTE, 30 * MINUTE);
		expect(alerts.map((a) => [a.threshold, (expiry - a.at) / HOUR])).toEqual([
			[1, 24],
			[0.5, 12],
			[0.25, 6],
		]);
		expect(alerts[2].message).toBe(
			'Meta token "Acme Ads" (USER, app Reporting App) expires in 6 hours, on 2026-11-03 00:00 UTC',
		);
	});

	it('severity: warning above the lowest threshold, critical at the lowest or with ≤ 1 day left', () => {
		const expiry = T0 + 30 * DAY;
		const severityAt = (thresholds: string, daysLeft: number): string => {
			const [alert] = new Trigger({ thresholds }).see(TOKEN_A, userAnswer(expiry), expiry - daysLeft * DAY);
			return alert.severity;
		};
		expect(severityAt('14,7,3', 6)).toBe('warning');
		expect(severityAt('14,7,3', 3)).toBe('critical');
		expect(severityAt('14,7', 2)).toBe('critical');
		// Not the lowest threshold, but one day left.
		expect(severityAt('2,0.25', 1)).toBe('critical');
		expect(severityAt('2,0.25', 1.5)).toBe('warning');
	});

	it('never-expiring page and system-user tokens never raise threshold alerts', () => {
		for (const type of ['PAGE', 'SYSTEM_USER', 'APP']) {
			const trigger = new Trigger({ thresholds: '10000, 1' });
			const alerts = walk(trigger, (now) => inspected(TOKEN_A, answer(type, 0), now), T0, T0 + 3000 * DAY, 10 * DAY);
			expect(alerts).toEqual([]);
		}
	});

	it('uses the data access expiry when it is earlier: dataAccessExpiring INSTEAD of expiring', () => {
		const trigger = new Trigger();
		const data = userAnswer(T0 + 50 * DAY, { data_access_expires_at: sec(T0 + 6 * DAY) });
		const alerts = trigger.see(TOKEN_A, data, T0);
		expect(events(alerts)).toEqual(['dataAccessExpiring']);
		expect(alerts[0]).toMatchObject({
			threshold: 7,
			daysLeft: 6,
			expiryCause: 'dataAccess',
			message:
				'Meta token "Acme Ads" (USER, app Reporting App) loses data access in 6 days, on 2026-11-07 (the token itself expires 2026-12-21)',
		});
		expect(alerts[0].action).toMatch(/log in to the app again/);
	});

	it('ignores a data access expiry that is later than the token expiry, and a zero one', () => {
		const later = new Trigger().see(TOKEN_A, userAnswer(T0 + 6 * DAY, { data_access_expires_at: sec(T0 + 80 * DAY) }), T0);
		expect(events(later)).toEqual(['expiring']);
		const zero = new Trigger().see(TOKEN_A, userAnswer(T0 + 6 * DAY, { data_access_expires_at: 0 }), T0);
		expect(events(zero)).toEqual(['expiring']);
	});

	it('data access expiring on a token that itself never expires', () => {
		const alerts = new Trigger().see(TOKEN_A, userAnswer(0, { expires_at: 0, data_access_expires_at: sec(T0 + DAY / 2) }), T0);
		expect(alerts[0]).toMatchObject({ event: 'dataAccessExpiring', threshold: 1, severity: 'critical' });
		expect(alerts[0].message).toMatch(/\(the token itself never expires\)$/);
	});

	it('expiring token is still measured to the earlier expiry when both move', () => {
		const trigger = new Trigger();
		// Data access first (6 days), then the data access date moves past the token expiry (7.5 days).
		expect(events(trigger.see(TOKEN_A, userAnswer(T0 + 7.5 * DAY, { data_access_expires_at: sec(T0 + 6 * DAY) }), T0))).toEqual([
			'dataAccessExpiring',
		]);
	});
});

describe('expired and invalid', () => {
	it('expired by the clock while Meta still says is_valid: expired only, no threshold alert', () => {
		const trigger = new Trigger();
		const alerts = trigger.see(TOKEN_A, userAnswer(T0 - HOUR), T0);
		expect(alerts).toHaveLength(1);
		expect(alerts[0]).toMatchObject({
			event: 'expired',
			severity: 'critical',
			threshold: null,
			daysLeft: 0,
			reason: 'expired',
			message: 'Meta token "Acme Ads" (USER, app Reporting App) expired on 2026-10-31 23:00 UTC',
		});
	});

	it('is raised once, however often the dead token is seen afterwards', () => {
		const trigger = new Trigger();
		const dead = userAnswer(T0 - DAY, {
			is_valid: false,
			error: { code: 190, subcode: 463, message: 'Error validating access token: Session has expired on Friday' },
		});
		const alerts = walk(trigger, (now) => inspected(TOKEN_A, dead, now), T0, T0 + 30 * DAY, 6 * HOUR);
		expect(events(alerts)).toEqual(['expired']);
	});

	it('expired per Meta (subcode 463) before the date Meta reported', () => {
		const alerts = new Trigger().see(
			TOKEN_A,
			userAnswer(T0 + 5 * DAY, { is_valid: false, error: { code: 190, subcode: 463, message: 'Session has expired' } }),
			T0,
		);
		expect(alerts).toHaveLength(1);
		expect(alerts[0]).toMatchObject({ event: 'expired', reason: 'expired' });
		expect(alerts[0].message).toBe('Meta token "Acme Ads" (USER, app Reporting App) has expired (Meta: "Session has expired")');
	});

	it.each([
		[458, 'notAuthorized', /log in through the app again/],
		[459, 'checkpoint', /security checkpoint/],
		[460, 'passwordChanged', /Log in to Facebook again/],
		[464, 'invalid', /complete token/],
		[467, 'invalid', /complete token/],
		[492, 'noPageRole', /role on the Page/],
		[493, 'inactive', /log in again/],
	])('invalid with subcode %i → reason %s, once, critical, with an action', (subcode, reason, action) => {
		const trigger = new Trigger();
		const data = userAnswer(T0 + 5 * DAY, { is_valid: false, error: { code: 190, subcode, message: `Error ${subcode}` } });
		const alerts = walk(trigger, (now) => inspected(TOKEN_A, data, now), T0, T0 + 2 * DAY, 6 * HOUR);
		expect(alerts).toHaveLength(1);
		expect(alerts[0]).toMatchObject({ event: 'invalid', severity: 'critical', reason, threshold: null });
		expect(alerts[0].message).toMatch(/^Meta token "Acme Ads" \(USER, app Reporting App\) is no longer valid: .+ \(Meta: "Error \d+"\)$/);
		expect(alerts[0].action).toMatch(action);
	});

	it('a dead token is reported once: invalid now, no expired later when its date passes', () => {
		const trigger = new Trigger();
		const data = userAnswer(T0 + 2 * DAY, { is_valid: false, error: { code: 190, subcode: 460, message: 'password changed' } });
		const alerts = walk(trigger, (now) => inspected(TOKEN_A, data, now), T0, T0 + 5 * DAY, 6 * HOUR);
		expect(events(alerts)).toEqual(['invalid']);
	});

	it('a token Meta calls valid again is watched as alive; a second death is raised again', () => {
		const trigger = new Trigger();
		const expiry = T0 + 20 * DAY;
		const dead = userAnswer(expiry, { is_valid: false, error: { code: 190, subcode: 467, message: 'Invalid' } });
		expect(events(trigger.see(TOKEN_A, dead, T0))).toEqual(['invalid']);
		expect(trigger.see(TOKEN_A, userAnswer(expiry), T0 + HOUR)).toEqual([]);
		expect(thresholdsOf(trigger.see(TOKEN_A, userAnswer(expiry), T0 + 6 * DAY))).toEqual([14]);
		expect(events(trigger.see(TOKEN_A, dead, T0 + 7 * DAY))).toEqual(['invalid']);
		expect(trigger.see(TOKEN_A, dead, T0 + 8 * DAY)).toEqual([]);
	});

	it('a dead token raises no scope alert', () => {
		const trigger = new Trigger({ requiredScopes: 'ads_read' });
		const data = userAnswer(T0 + 30 * DAY, { is_valid: false, scopes: [], error: { code: 190, subcode: 467, message: 'Invalid' } });
		expect(events(trigger.see(TOKEN_A, data, T0))).toEqual(['invalid']);
	});

	it('token-kind actions: system user, page, app', () => {
		const expiry = T0 + 5 * DAY;
		const [system] = new Trigger().see(TOKEN_A, answer('SYSTEM_USER', expiry), T0);
		expect(system.action).toMatch(/^Run the Meta Token node's Refresh System-User Token operation before 2026-11-06 00:00 UTC/);
		expect(system.action).toContain('https://business.facebook.com/settings/system-users');
		const [page] = new Trigger().see(TOKEN_A, answer('PAGE', expiry), T0);
		expect(page.action).toMatch(/Get Page Tokens/);
		const [user] = new Trigger().see(TOKEN_A, answer('USER', expiry), T0);
		expect(user.action).toBe(
			"Exchange a new token: open https://developers.facebook.com/tools/explorer/, get a token, run the Meta Token node's Exchange operation — or switch to a system-user token (Business Settings → System users: https://business.facebook.com/settings/system-users) which can be refreshed by API",
		);
		const [expiredSystem] = new Trigger().see(TOKEN_A, answer('SYSTEM_USER', T0 - DAY), T0);
		expect(expiredSystem.action).toMatch(/^Generate a new system-user token/);
		const [invalidPage] = new Trigger().see(
			TOKEN_A,
			answer('PAGE', 0, { is_valid: false, error: { code: 190, subcode: 460, message: 'x' } }),
			T0,
		);
		expect(invalidPage.action).toMatch(/^Log in to Facebook again.*Get Page Tokens/);
	});
});

describe('renewal', () => {
	it('a new fingerprint after an alert raises renewed once and starts a fresh history', () => {
		const trigger = new Trigger();
		expect(events(trigger.see(TOKEN_A, userAnswer(T0 + 5 * DAY), T0))).toEqual(['expiring']);
		const renewed = trigger.see(TOKEN_B, userAnswer(T0 + 60 * DAY), T0 + DAY);
		expect(renewed).toHaveLength(1);
		expect(renewed[0]).toMatchObject({
			event: 'renewed',
			severity: 'info',
			threshold: null,
			daysLeft: 59,
			tokenFingerprint: tokenFingerprint(TOKEN_B),
			message:
				'Meta token "Acme Ads" (USER, app Reporting App) was replaced by a new token, which expires 2026-12-31, in 59 days',
			action: 'Nothing to do.',
		});
		expect(trigger.see(TOKEN_B, userAnswer(T0 + 60 * DAY), T0 + 2 * DAY)).toEqual([]);
		// The new token gets its own thresholds from the top.
		expect(thresholdsOf(trigger.see(TOKEN_B, userAnswer(T0 + 60 * DAY), T0 + 46 * DAY))).toEqual([14]);
	});

	it('a later expiry for the same token raises renewed and re-arms the thresholds', () => {
		const trigger = new Trigger();
		expect(thresholdsOf(trigger.see(TOKEN_A, userAnswer(T0 + 2 * DAY), T0))).toEqual([3]);
		const alerts = trigger.see(TOKEN_A, userAnswer(T0 + 10 * DAY), T0 + HOUR);
		// Renewed, and the new expiry is itself inside the 14-day threshold.
		expect(events(alerts)).toEqual(['renewed', 'expiring']);
		expect(alerts[0].message).toMatch(/was renewed: it now expires 2026-11-11, in 9 days$/);
		expect(alerts[1].threshold).toBe(14);
	});

	it('an expiry moving from a date to never counts as renewal', () => {
		const trigger = new Trigger();
		trigger.see(TOKEN_A, answer('PAGE', T0 + 2 * DAY), T0);
		const alerts = trigger.see(TOKEN_A, answer('PAGE', 0), T0 + HOUR);
		expect(events(alerts)).toEqual(['renewed']);
		expect(alerts[0].message).toMatch(/was renewed: it now never expires$/);
	});

	it('renewal with no prior alert raises nothing', () => {
		const trigger = new Trigger();
		expect(trigger.see(TOKEN_A, userAnswer(T0 + 50 * DAY), T0)).toEqual([]);
		expect(trigger.see(TOKEN_B, userAnswer(T0 + 60 * DAY), T0 + DAY)).toEqual([]);
		expect(trigger.see(TOKEN_B, userAnswer(T0 + 70 * DAY), T0 + 2 * DAY)).toEqual([]);
	});

	it('an earlier expiry for the same token is no renewal and keeps the history', () => {
		const trigger = new Trigger();
		expect(thresholdsOf(trigger.see(TOKEN_A, userAnswer(T0 + 10 * DAY), T0))).toEqual([14]);
		expect(thresholdsOf(trigger.see(TOKEN_A, userAnswer(T0 + 6 * DAY), T0 + HOUR))).toEqual([7]);
	});

	it('a dead replacement raises its own alert, not renewed', () => {
		const trigger = new Trigger();
		trigger.see(TOKEN_A, userAnswer(T0 + 5 * DAY), T0);
		const alerts = trigger.see(
			TOKEN_B,
			userAnswer(T0 + 60 * DAY, { is_valid: false, error: { code: 190, message: 'Cannot parse access token' } }),
			T0 + HOUR,
		);
		expect(events(alerts)).toEqual(['invalid']);
		// Fixing it then is a renewal: someone was told about the broken one.
		expect(events(trigger.see(TOKEN_A, userAnswer(T0 + 60 * DAY), T0 + 2 * HOUR))).toEqual(['renewed']);
	});

	it('a dead token whose answer loses its dates is not "renewed"', () => {
		const trigger = new Trigger();
		trigger.see(TOKEN_A, userAnswer(T0 + 5 * DAY), T0);
		const dead = { type: 'USER', is_valid: false, error: { code: 190, subcode: 460, message: 'password changed' } };
		expect(events(trigger.see(TOKEN_A, dead, T0 + HOUR))).toEqual(['invalid']);
		expect(trigger.see(TOKEN_A, dead, T0 + 2 * HOUR)).toEqual([]);
	});

	it('renewal after an expired token', () => {
		const trigger = new Trigger();
		expect(events(trigger.see(TOKEN_A, userAnswer(T0 - HOUR), T0))).toEqual(['expired']);
		expect(events(trigger.see(TOKEN_B, answer('SYSTEM_USER', 0), T0 + HOUR))).toEqual(['renewed']);
	});
});

describe('scopesLost', () => {
	const withScopes = (...scopes: string[]) => userAnswer(T0 + 50 * DAY, { scopes });

	it('raises once per missing set, again when more go missing, clears when they are back, re-raises when lost again', () => {
		const trigger = new Trigger({ requiredScopes: 'ads_read, ads_management, business_management' });
		const at = (hours: number, ...scopes: string[]) => trigger.see(TOKEN_A, withScopes(...scopes), T0 + hours * HOUR);

		expect(at(0, 'ads_read', 'ads_management', 'business_management')).toEqual([]);
		const lost = at(1, 'ads_read', 'ads_management');
		expect(lost).toHaveLength(1);
		expect(lost[0]).toMatchObject({
			event: 'scopesLost',
			severity: 'critical',
			missingScopes: ['business_management'],
			message: 'Meta token "Acme Ads" (USER, app Reporting App) is missing required permissions: business_management',
		});
		expect(lost[0].action).toMatch(/business_management granted/);
		expect(at(2, 'ads_read', 'ads_management')).toEqual([]);
		const more = at(3, 'ads_read');
		expect(more.map((a) => a.missingScopes)).toEqual([['ads_management', 'business_management']]);
		// Fewer missing is not news.
		expect(at(4, 'ads_read', 'ads_management')).toEqual([]);
		// All back: cleared silently.
		expect(at(5, 'ads_read', 'ads_management', 'business_management')).toEqual([]);
		// Lost again: news again.
		expect(events(at(6, 'ads_read', 'ads_management'))).toEqual(['scopesLost']);
	});

	it('compares scopes case-insensitively and without required scopes raises nothing', () => {
		expect(new Trigger({ requiredScopes: 'ADS_READ' }).see(TOKEN_A, withScopes('ads_read'), T0)).toEqual([]);
		expect(new Trigger().see(TOKEN_A, withScopes(), T0)).toEqual([]);
	});

	it('falls back to the record’s missing scopes when the settings name none', () => {
		const observation = observationFromInspection(TOKEN_A, withScopes('ads_read'), {
			nowMs: T0,
			credentialName: CREDENTIAL,
			requiredScopes: ['ads_read', 'pages_show_list'],
		});
		expect(evaluateAlerts(undefined, observation, {}, T0).alerts.map((a) => a.missingScopes)).toEqual([['pages_show_list']]);
	});

	it('scope and threshold alerts can come in the same poll', () => {
		const trigger = new Trigger({ requiredScopes: 'pages_show_list' });
		expect(events(trigger.see(TOKEN_A, userAnswer(T0 + 5 * DAY), T0))).toEqual(['expiring', 'scopesLost']);
	});

	it('system-user and page scope actions', () => {
		const [system] = new Trigger({ requiredScopes: 'x_y' }).see(TOKEN_A, answer('SYSTEM_USER', 0), T0);
		expect(system.action).toMatch(/^Generate a new system-user token with scope x_y/);
		const [page] = new Trigger({ requiredScopes: 'x_y' }).see(TOKEN_A, answer('PAGE', 0), T0);
		expect(page.action).toMatch(/Get Page Tokens/);
	});
});

describe('failed checks', () => {
	it('checkFailing exactly at 24 hours of continuous failure, not before, once', () => {
		const trigger = new Trigger();
		trigger.see(TOKEN_A, userAnswer(T0 + 50 * DAY), T0);
		const start = T0 + HOUR;
		expect(trigger.poll(failed(TOKEN_A, 'network'), start)).toEqual([]);
		expect(trigger.poll(failed(TOKEN_A, 'network'), start + 24 * HOUR - 1)).toEqual([]);
		const alerts = trigger.poll(failed(TOKEN_A, 'rateLimit', 'Application request limit reached'), start + 24 * HOUR);
		expect(alerts).toHaveLength(1);
		expect(alerts[0]).toMatchObject({
			event: 'checkFailing',
			severity: 'warning',
			errorClass: 'rateLimit',
			message:
				'Meta token "Acme Ads" (USER, app Reporting App) could not be checked for 24 hours (since 2026-11-01 01:00 UTC): Meta is rate-limiting the checks — Application request limit reached',
		});
		expect(alerts[0].action).toMatch(/poll less often/);
		expect(walk(trigger, () => failed(TOKEN_A, 'network'), start + 25 * HOUR, start + 10 * DAY, HOUR)).toEqual([]);
	});

	it('a success clears the streak silently; a new streak counts from its own start', () => {
		const trigger = new Trigger();
		trigger.poll(failed(TOKEN_A, 'transient'), T0);
		expect(events(trigger.poll(failed(TOKEN_A, 'transient'), T0 + 24 * HOUR))).toEqual(['checkFailing']);
		expect(trigger.see(TOKEN_A, userAnswer(T0 + 50 * DAY), T0 + 25 * HOUR)).toEqual([]);
		expect(trigger.state.failure).toBeNull();
		expect(trigger.poll(failed(TOKEN_A, 'transient'), T0 + 30 * HOUR)).toEqual([]);
		expect(trigger.poll(failed(TOKEN_A, 'transient'), T0 + 53 * HOUR)).toEqual([]);
		expect(events(trigger.poll(failed(TOKEN_A, 'transient'), T0 + 54 * HOUR))).toEqual(['checkFailing']);
	});

	it('a single success between failures restarts the 24 hours', () => {
		const trigger = new Trigger();
		trigger.poll(failed(TOKEN_A, 'network'), T0);
		trigger.see(TOKEN_A, userAnswer(T0 + 50 * DAY), T0 + 20 * HOUR);
		expect(trigger.poll(failed(TOKEN_A, 'network'), T0 + 25 * HOUR)).toEqual([]);
	});

	it('honours checkFailingAfterHours', () => {
		const trigger = new Trigger({ checkFailingAfterHours: 1 });
		expect(trigger.poll(failed(TOKEN_A, 'network'), T0)).toEqual([]);
		expect(events(trigger.poll(failed(TOKEN_A, 'network'), T0 + HOUR))).toEqual(['checkFailing']);
		expect(events(new Trigger({ checkFailingAfterHours: 0 }).poll(failed(TOKEN_A, 'network'), T0))).toEqual(['checkFailing']);
	});

	it.each<GraphErrorClass>(['transient', 'rateLimit', 'network', 'badResponse', 'auth', 'proofRequired', 'permission', 'policy', 'badRequest'])(
		'%s failures never raise invalid or expired, only checkFailing',
		(errorClass) => {
			const trigger = new Trigger();
			trigger.see(TOKEN_A, userAnswer(T0 + 300 * DAY), T0);
			const alerts = walk(trigger, () => failed(TOKEN_A, errorClass), T0 + HOUR, T0 + 5 * DAY, 2 * HOUR);
			expect(events(alerts)).toEqual(['checkFailing']);
			expect(alerts[0].errorClass).toBe(errorClass);
			expect(alerts[0].action.length).toBeGreaterThan(20);
		},
	);

	it('a debug_token answer carrying a rate-limit or temporary error is a failed check, not invalid', () => {
		for (const code of [1, 2, 4, 17, 32, 341, 613, 80004]) {
			const trigger = new Trigger({ checkFailingAfterHours: 0 });
			const data = userAnswer(T0 + 50 * DAY, { is_valid: false, error: { code, message: 'Please retry your request later.' } });
			const alerts = trigger.see(TOKEN_A, data, T0);
			expect(events(alerts)).toEqual(['checkFailing']);
		}
	});

	it('the last known expiry keeps counting down while checks fail', () => {
		const trigger = new Trigger();
		const expiry = T0 + 20 * DAY;
		trigger.see(TOKEN_A, userAnswer(expiry), T0);
		const alerts = walk(trigger, () => failed(TOKEN_A, 'network'), T0 + 6 * HOUR, expiry + DAY, 6 * HOUR);
		expect(alerts.map((a) => [a.event, a.threshold])).toEqual([
			['checkFailing', null],
			['expiring', 14],
			['expiring', 7],
			['expiring', 3],
			['expiring', 1],
		]);
		const sevenDays = alerts[2];
		expect(sevenDays.message).toBe(
			'Meta token "Acme Ads" (USER, app Reporting App) expires in 7 days, on 2026-11-21 (as of the last successful check; checks have failed since 2026-11-01 06:00 UTC)',
		);
		expect(sevenDays).toMatchObject({ errorClass: 'network', tokenHint: null });
		// When checks work again, the token is reported expired, once.
		expect(events(trigger.see(TOKEN_A, userAnswer(expiry), expiry + 2 * DAY))).toEqual(['expired']);
	});

	it('no countdown for a token the policy has not seen yet', () => {
		const trigger = new Trigger();
		trigger.see(TOKEN_A, userAnswer(T0 + 5 * DAY), T0);
		expect(trigger.poll(failed(TOKEN_B, 'network'), T0 + 3 * DAY)).toEqual([]);
	});

	it('checkFailing for a token never seen names it by credential and fingerprint only', () => {
		const [alert] = new Trigger({ checkFailingAfterHours: 0 }).poll(failed(TOKEN_B, 'network'), T0);
		expect(alert.message).toMatch(/^Meta token "Acme Ads" could not be checked for 0 minutes/);
		expect(alert).toMatchObject({ tokenType: null, tokenFingerprint: tokenFingerprint(TOKEN_B) });
	});

	it('counts a streak shorter than an hour in minutes', () => {
		const trigger = new Trigger({ checkFailingAfterHours: 0.05 });
		trigger.see(TOKEN_A, userAnswer(T0 + 50 * DAY), T0);
		expect(trigger.poll(failed(TOKEN_A, 'transient'), T0 + MINUTE)).toEqual([]);
		expect(trigger.poll(failed(TOKEN_A, 'transient'), T0 + 3 * MINUTE)).toEqual([]);
		const [alert] = trigger.poll(failed(TOKEN_A, 'transient'), T0 + 4 * MINUTE);
		expect(alert.message).toMatch(/could not be checked for 3 minutes \(since 2026-11-01 00:01 UTC\)/);
	});
});

describe('threshold list changes', () => {
	it('a new threshold between the sent one and the time left is alerted once', () => {
		const trigger = new Trigger({ thresholds: '14,7,3,1' });
		const data = userAnswer(T0 + 12 * DAY);
		expect(thresholdsOf(trigger.see(TOKEN_A, data, T0))).toEqual([14]);
		trigger.settings = { thresholds: '14,10,7,3,1' };
		expect(trigger.see(TOKEN_A, data, T0 + HOUR)).toEqual([]);
		expect(thresholdsOf(trigger.see(TOKEN_A, data, T0 + 2 * DAY))).toEqual([10]);
		expect(trigger.see(TOKEN_A, data, T0 + 2 * DAY + HOUR)).toEqual([]);
	});

	it('several newly crossed thresholds: one alert, for the lowest', () => {
		const trigger = new Trigger({ thresholds: '14' });
		const data = userAnswer(T0 + 2.5 * DAY);
		expect(thresholdsOf(trigger.see(TOKEN_A, data, T0))).toEqual([14]);
		trigger.settings = { thresholds: '14,7,3,1' };
		expect(thresholdsOf(trigger.see(TOKEN_A, data, T0 + HOUR))).toEqual([3]);
	});

	it('a threshold added above one already sent is never sent (no duplicates, no going back)', () => {
		const trigger = new Trigger({ thresholds: '14,3' });
		const data = userAnswer(T0 + 2.5 * DAY);
		expect(thresholdsOf(trigger.see(TOKEN_A, data, T0))).toEqual([3]);
		trigger.settings = { thresholds: '30,14,5,3,2' };
		expect(trigger.see(TOKEN_A, data, T0 + HOUR)).toEqual([]);
		expect(thresholdsOf(trigger.see(TOKEN_A, data, T0 + 12 * HOUR))).toEqual([2]);
	});

	it('removing thresholds does not replay the rest', () => {
		const trigger = new Trigger({ thresholds: '14,7,3,1' });
		const data = userAnswer(T0 + 5 * DAY);
		expect(thresholdsOf(trigger.see(TOKEN_A, data, T0))).toEqual([7]);
		trigger.settings = { thresholds: '14' };
		expect(trigger.see(TOKEN_A, data, T0 + HOUR)).toEqual([]);
	});
});

describe('disabled events', () => {
	it('are never emitted, and the state advances so enabling them later replays nothing', () => {
		const trigger = new Trigger({ events: ['expired', 'invalid', 'renewed'] });
		const data = userAnswer(T0 + 10 * DAY);
		expect(trigger.see(TOKEN_A, data, T0)).toEqual([]);
		trigger.settings = {};
		expect(trigger.see(TOKEN_A, data, T0 + HOUR)).toEqual([]);
		expect(thresholdsOf(trigger.see(TOKEN_A, data, T0 + 3 * DAY))).toEqual([7]);
	});

	it('a suppressed alert does not count as sent: no renewed when nobody was told', () => {
		const trigger = new Trigger({ events: ['renewed'] });
		trigger.see(TOKEN_A, userAnswer(T0 + 2 * DAY), T0);
		expect(trigger.see(TOKEN_B, userAnswer(T0 + 60 * DAY), T0 + HOUR)).toEqual([]);
	});

	it('disabled renewed and checkFailing still advance the state', () => {
		const trigger = new Trigger({ events: ['expiring'] });
		trigger.see(TOKEN_A, userAnswer(T0 + 2 * DAY), T0);
		expect(trigger.see(TOKEN_B, userAnswer(T0 + 60 * DAY), T0 + HOUR)).toEqual([]);
		trigger.settings = {};
		expect(trigger.see(TOKEN_B, userAnswer(T0 + 60 * DAY), T0 + 2 * HOUR)).toEqual([]);

		trigger.settings = { events: ['expiring'] };
		trigger.poll(failed(TOKEN_B, 'network'), T0 + 3 * HOUR);
		expect(trigger.poll(failed(TOKEN_B, 'network'), T0 + 30 * HOUR)).toEqual([]);
		trigger.settings = {};
		expect(trigger.poll(failed(TOKEN_B, 'network'), T0 + 31 * HOUR)).toEqual([]);
	});

	it('every event can be switched off on its own', () => {
		const scenario = (enabled: AlertEvent[]): AlertEvent[] => {
			const trigger = new Trigger({ events: enabled, requiredScopes: 'pages_show_list', checkFailingAfterHours: 1 });
			const seen: Alert[] = [];
			seen.push(...trigger.see(TOKEN_A, userAnswer(T0 + 5 * DAY, { data_access_expires_at: sec(T0 + 4 * DAY) }), T0));
			seen.push(...trigger.see(TOKEN_A, userAnswer(T0 + 5 * DAY), T0 + HOUR));
			seen.push(...trigger.poll(failed(TOKEN_A, 'network'), T0 + 2 * HOUR));
			seen.push(...trigger.poll(failed(TOKEN_A, 'network'), T0 + 3 * HOUR));
			seen.push(...trigger.see(TOKEN_A, userAnswer(T0 - DAY), T0 + 4 * HOUR));
			seen.push(...trigger.see(TOKEN_B, userAnswer(T0 + 60 * DAY, { scopes: ['pages_show_list'] }), T0 + 5 * HOUR));
			seen.push(
				...trigger.see(TOKEN_A, userAnswer(T0 + 60 * DAY, { is_valid: false, error: { code: 190, subcode: 467, message: 'x' } }), T0 + 6 * HOUR),
			);
			seen.push(...trigger.poll(instagramSeen(TOKEN_IG, T0 + 7 * HOUR), T0 + 7 * HOUR));
			return [...new Set(events(seen))];
		};
		const all = scenario([...ALERT_EVENTS]);
		expect(all.sort()).toEqual([...ALERT_EVENTS].sort());
		for (const event of ALERT_EVENTS) {
			const without = scenario(ALERT_EVENTS.filter((e) => e !== event));
			expect(without).not.toContain(event);
		}
	});
});

describe('no secrets in alerts', () => {
	it('alerts and state hold no token, only fingerprint and hint', () => {
		const trigger = new Trigger({ requiredScopes: 'pages_show_list', checkFailingAfterHours: 0 });
		const alerts = [
			...trigger.see(TOKEN_A, userAnswer(T0 + 5 * DAY), T0),
			...trigger.poll(failed(TOKEN_A, 'auth', `Invalid token ${TOKEN_A}`), T0 + HOUR),
			...trigger.see(
				TOKEN_B,
				userAnswer(T0 + 5 * DAY, { is_valid: false, error: { code: 190, message: `Cannot parse ${TOKEN_B}` } }),
				T0 + 2 * HOUR,
			),
		];
		expect(events(alerts)).toEqual(['expiring', 'scopesLost', 'checkFailing', 'invalid']);
		const everything = JSON.stringify(alerts) + (trigger.stored ?? '');
		for (const token of [TOKEN_A, TOKEN_B]) {
			expect(everything).not.toContain(token);
			expect(everything).not.toContain(token.slice(0, 20));
		}
		expect(everything).not.toMatch(/EAA[A-Za-z0-9]{10,}/);
	});
});
