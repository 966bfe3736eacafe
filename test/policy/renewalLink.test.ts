/**
 * The trigger's Renewal Link (`renewalUrl`) in the alert policy: what it changes (the action of
 * expiring and expired alerts, and of the status item, about USER tokens) and what it leaves as
 * it was (other token types, other events, no link set), and how a bad value is refused.
 */
import { resolveAlertSettings } from '../../nodes/policy/alertSettings';
import { describeStatus } from '../../nodes/policy/alertStatus';
import { answer, DAY, events, HOUR, inspected, T0, TOKEN_A, TOKEN_B, Trigger, userAnswer } from './alertFixtures';

const FORM = 'https://n8n.example.com/form/renew-meta-token';
const FORM_ACTION =
	`Open ${FORM} and paste a new token from the Graph API Explorer (https://developers.facebook.com/tools/explorer/): ` +
	'the form exchanges it for a long-lived token and saves it in the credential';

describe('Renewal Link setting', () => {
	it('is optional: empty, blank, null or absent mean none', () => {
		for (const renewalUrl of [undefined, null, '', '   ']) {
			expect(resolveAlertSettings({ renewalUrl }).renewalUrl).toBeNull();
		}
	});

	it('keeps an http(s) address as typed, trimmed', () => {
		expect(resolveAlertSettings({ renewalUrl: `  ${FORM} ` }).renewalUrl).toBe(FORM);
		expect(resolveAlertSettings({ renewalUrl: 'http://127.0.0.1:5678/form/renew' }).renewalUrl).toBe('http://127.0.0.1:5678/form/renew');
	});

	it.each(['renew-meta-token', 'ftp://n8n.example.com/form', 'javascript:alert(1)', 'https://n8n.example.com/a form'])(
		'refuses %j naming the field',
		(renewalUrl) => {
			expect(() => resolveAlertSettings({ renewalUrl })).toThrow(/^Renewal Link: ".+" is not an http\(s\) address/);
		},
	);
});

describe('alerts with a Renewal Link', () => {
	it('an expiring USER token: the action sends the reader to the form', () => {
		const [alert] = new Trigger({ renewalUrl: FORM }).see(TOKEN_A, userAnswer(T0 + 5 * DAY), T0);
		expect(alert).toMatchObject({ event: 'expiring', action: FORM_ACTION });
		// The message is the same as without the link: only what to do changes.
		const [plain] = new Trigger().see(TOKEN_A, userAnswer(T0 + 5 * DAY), T0);
		expect(alert.message).toBe(plain.message);
		expect(plain.action).toMatch(/^Exchange a new token/);
	});

	it('an expired USER token, by the clock or per Meta: the same action', () => {
		const [byClock] = new Trigger({ renewalUrl: FORM }).see(TOKEN_A, userAnswer(T0 - HOUR), T0);
		expect(byClock).toMatchObject({ event: 'expired', action: FORM_ACTION });
		const perMeta = userAnswer(T0 + DAY, { is_valid: false, error: { code: 190, subcode: 463, message: 'Session has expired' } });
		expect(new Trigger({ renewalUrl: FORM }).see(TOKEN_A, perMeta, T0)[0]).toMatchObject({ event: 'expired', action: FORM_ACTION });
	});

	it('leaves other token types and other events as they were', () => {
		const settings = { renewalUrl: FORM, requiredScopes: 'ads_read' };
		const [system] = new Trigger(settings).see(TOKEN_A, answer('SYSTEM_USER', T0 + 5 * DAY), T0);
		expect(system.action).toMatch(/^Run the Meta Token node's Refresh System-User Token operation/);
		const [page] = new Trigger(settings).see(TOKEN_A, answer('PAGE', T0 - HOUR), T0);
		expect(page.action).not.toContain(FORM);
		const invalid = userAnswer(T0 + 20 * DAY, { is_valid: false, error: { code: 190, subcode: 460, message: 'password changed' } });
		const [passwordChanged] = new Trigger(settings).see(TOKEN_A, invalid, T0);
		expect(passwordChanged).toMatchObject({ event: 'invalid', reason: 'passwordChanged' });
		expect(passwordChanged.action).not.toContain(FORM);
		const [dataAccess] = new Trigger(settings).see(TOKEN_A, userAnswer(T0 + 40 * DAY, { data_access_expires_at: Math.floor((T0 + 5 * DAY) / 1000) }), T0);
		expect(dataAccess.event).toBe('dataAccessExpiring');
		expect(dataAccess.action).not.toContain(FORM);
		const [scopes] = new Trigger(settings).see(TOKEN_A, userAnswer(T0 + 40 * DAY, { scopes: [] }), T0);
		expect(scopes.event).toBe('scopesLost');
		expect(scopes.action).not.toContain(FORM);
	});

	it('changes no decision: the same events at the same polls, renewed after the paste', () => {
		const withLink = new Trigger({ renewalUrl: FORM });
		const without = new Trigger();
		for (const trigger of [withLink, without]) {
			expect(events(trigger.see(TOKEN_A, userAnswer(T0 + 5 * DAY), T0))).toEqual(['expiring']);
			expect(trigger.see(TOKEN_A, userAnswer(T0 + 5 * DAY), T0 + HOUR)).toEqual([]);
		}
		const renewed = withLink.see(TOKEN_B, userAnswer(T0 + 60 * DAY), T0 + DAY);
		expect(renewed).toEqual(without.see(TOKEN_B, userAnswer(T0 + 60 * DAY), T0 + DAY));
		expect(events(renewed)).toEqual(['renewed']);
		expect(renewed[0].action).toBe('Nothing to do.');
	});

	it('the Fetch Test Event item says the same as the alert', () => {
		const expiring = describeStatus(undefined, inspected(TOKEN_A, userAnswer(T0 + 2 * DAY), T0), { renewalUrl: FORM }, T0);
		expect(expiring).toMatchObject({ status: 'expiring', action: FORM_ACTION });
		const expired = describeStatus(undefined, inspected(TOKEN_A, userAnswer(T0 - HOUR), T0), { renewalUrl: FORM }, T0);
		expect(expired).toMatchObject({ status: 'expired', action: FORM_ACTION });
		const healthy = describeStatus(undefined, inspected(TOKEN_A, userAnswer(T0 + 50 * DAY), T0), { renewalUrl: FORM }, T0);
		expect(healthy.action).toBe('Nothing to do now.');
	});
});
