import { evaluateAlerts } from '../../nodes/policy/alertPolicy';
import { observationFromAuthError, observationFromFailure } from '../../nodes/policy/observations';
import { tokenFingerprint } from '../../nodes/policy/tokenIdentity';
import { CREDENTIAL, events, T0, TOKEN_A } from './alertFixtures';

describe('observation helpers', () => {
	it('a token that inspected itself and was refused with an auth error is dead, not a failed check', () => {
		const password = observationFromFailure(
			TOKEN_A,
			{ errorClass: 'auth', reason: 'passwordChanged', message: 'Long GraphError text', metaMessage: 'password changed', code: 190, subcode: 460 },
			{ nowMs: T0, inspectedWith: 'self', credentialName: CREDENTIAL },
		);
		expect(password).toMatchObject({ kind: 'ok', reason: 'passwordChanged', record: { status: 'invalid', isValid: false } });
		const [alert] = evaluateAlerts(undefined, password, {}, T0).alerts;
		expect(alert).toMatchObject({ event: 'invalid', reason: 'passwordChanged' });
		expect(alert.message).toBe(
			'Meta token "Acme Ads" is no longer valid: the user changed their password or Meta reset the session (Meta: "password changed")',
		);

		const expired = observationFromFailure(
			TOKEN_A,
			{ errorClass: 'auth', message: 'Error validating access token: Session has expired on Friday', code: 190, subcode: 463 },
			{ nowMs: T0, inspectedWith: 'self' },
		);
		expect(events(evaluateAlerts(undefined, expired, {}, T0).alerts)).toEqual(['expired']);

		// The Graph layer's reason wins over the message.
		const byReason = observationFromAuthError(TOKEN_A, { reason: 'expired', message: 'x' }, { nowMs: T0 });
		expect(byReason.record.status).toBe('expired');
	});

	it('an auth error of the APP token says nothing about the inspected token: failed check', () => {
		const observation = observationFromFailure(
			TOKEN_A,
			{ errorClass: 'auth', reason: 'invalid', message: `bad app token 123456|${'f'.repeat(32)} for ${TOKEN_A}` },
			{ nowMs: T0, inspectedWith: 'appToken', credentialName: CREDENTIAL },
		);
		expect(observation).toMatchObject({ kind: 'checkFailed', errorClass: 'auth', fingerprint: tokenFingerprint(TOKEN_A) });
		if (observation.kind !== 'checkFailed') throw new Error('expected a failed check');
		expect(observation.message).toBe('bad app token [redacted] for [redacted]');
		const { alerts } = evaluateAlerts(undefined, observation, { checkFailingAfterHours: 0 }, T0);
		expect(events(alerts)).toEqual(['checkFailing']);
	});

	it('non-auth failures stay failed checks even when self-inspected', () => {
		const observation = observationFromFailure(TOKEN_A, { errorClass: 'rateLimit', message: 'slow down' }, { nowMs: T0, inspectedWith: 'self' });
		expect(observation.kind).toBe('checkFailed');
	});
});
