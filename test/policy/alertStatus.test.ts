import { evaluateAlerts } from '../../nodes/policy/alertPolicy';
import type { AlertSettingsInput } from '../../nodes/policy/alertSettings';
import { describeStatus } from '../../nodes/policy/alertStatus';
import { answer, DAY, failed, HOUR, inspected, T0, TOKEN_A, Trigger, userAnswer } from './alertFixtures';

describe('describeStatus', () => {
	const settings: AlertSettingsInput = { requiredScopes: 'ads_read' };

	it('describes a healthy token and when the first alert will come, without changing the state', () => {
		const state = evaluateAlerts(undefined, inspected(TOKEN_A, userAnswer(T0 + 50 * DAY), T0), settings, T0).nextState;
		const frozen = JSON.stringify(state);
		const item = describeStatus(state, inspected(TOKEN_A, userAnswer(T0 + 50 * DAY), T0 + DAY), settings, T0 + DAY);
		expect(JSON.stringify(state)).toBe(frozen);
		expect(item).toMatchObject({
			event: 'status',
			severity: 'info',
			status: 'valid',
			threshold: null,
			daysLeft: 49,
			nextAlertAt: new Date(T0 + 36 * DAY).toISOString(),
			pendingEvents: [],
			action: 'Nothing to do now.',
			message:
				'Meta token "Acme Ads" (USER, app Reporting App) expires in 49 days, on 2026-12-21; first alert at 14 days left, on 2026-12-07',
		});
	});

	it('describes a crossed threshold with the alert a poll would emit', () => {
		const item = describeStatus(undefined, inspected(TOKEN_A, userAnswer(T0 + 2 * DAY), T0), {}, T0);
		expect(item).toMatchObject({ status: 'expiring', severity: 'warning', threshold: 3, pendingEvents: ['expiring'] });
		expect(item.action).toMatch(/Exchange/);
	});

	it('describes a never-expiring token, missing scopes and a dead token', () => {
		expect(describeStatus(undefined, inspected(TOKEN_A, answer('PAGE', 0), T0), {}, T0)).toMatchObject({
			severity: 'info',
			message: 'Meta token "Acme Ads" (PAGE, app Reporting App) never expires',
			nextAlertAt: null,
		});
		const missing = describeStatus(undefined, inspected(TOKEN_A, answer('PAGE', 0, { scopes: [] }), T0), settings, T0);
		expect(missing).toMatchObject({ severity: 'critical', missingScopes: ['ads_read'], pendingEvents: ['scopesLost'] });
		expect(missing.message).toMatch(/; missing required permissions: ads_read$/);
		const dead = describeStatus(undefined, inspected(TOKEN_A, userAnswer(T0 - DAY), T0), {}, T0);
		expect(dead).toMatchObject({ event: 'status', status: 'expired', severity: 'critical', reason: 'expired' });
	});

	it('describes a failing check with the streak start from the state', () => {
		const trigger = new Trigger();
		trigger.see(TOKEN_A, userAnswer(T0 + 50 * DAY), T0);
		trigger.poll(failed(TOKEN_A, 'network'), T0 + HOUR);
		const stored = JSON.parse(trigger.stored ?? 'null');
		const item = describeStatus(stored, failed(TOKEN_A, 'network'), {}, T0 + 5 * HOUR);
		expect(item).toMatchObject({
			event: 'status',
			status: 'checkFailed',
			severity: 'warning',
			failingSince: new Date(T0 + HOUR).toISOString(),
			errorClass: 'network',
			pendingEvents: [],
		});
		expect(item.message).toMatch(/could not be checked for 4 hours .* \(checkFailing is raised after 24 hours of failures\)$/);
		expect(JSON.parse(trigger.stored ?? 'null')).toEqual(stored);
	});
});
