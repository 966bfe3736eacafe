import { evaluateAlerts } from '../../nodes/policy/alertPolicy';
import { GraphError } from '../../nodes/graph/GraphError';
import { OperationFailure } from '../../nodes/shared/failures';
import { answerOf, observationFromAuthError, observationFromFailure, observe } from '../../nodes/policy/observations';
import { TokenInputError } from '../../nodes/policy/tokenInput';
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

describe('observe: the one step from an inspection to an observation (trigger and Check for Alerts)', () => {
	const dead = () =>
		new GraphError({ errorClass: 'auth', reason: 'expired', summary: 'The token expired.', description: 'Renew it.', metaMessage: 'Session has expired', code: 190, subcode: 463 });

	it("reads Meta's answer as the record of the token", () => {
		const observation = observe(TOKEN_A, { ok: true, data: { is_valid: true, type: 'USER', expires_at: 0 } }, { nowMs: T0, credentialName: CREDENTIAL });
		expect(observation).toMatchObject({ kind: 'ok', fingerprint: tokenFingerprint(TOKEN_A), credentialName: CREDENTIAL, record: { isValid: true } });
	});

	it('a self-inspected auth refusal is a dead token; the same refusal through the app token is a failed check', () => {
		expect(observe(TOKEN_A, { ok: false, error: dead(), selfInspected: true }, { nowMs: T0 })).toMatchObject({
			kind: 'ok',
			reason: 'expired',
			record: { status: 'expired', isValid: false },
		});
		expect(observe(TOKEN_A, { ok: false, error: dead(), selfInspected: false }, { nowMs: T0 })).toMatchObject({
			kind: 'checkFailed',
			errorClass: 'auth',
		});
	});

	it('throws what is not a classified Graph failure: our own failures and plain errors', () => {
		for (const error of [
			new Error('socket hang up'),
			new TokenInputError('Token', 'Token is empty.'),
			new OperationFailure('readHistory', 'unreachable', 'Could not reach n8n'),
			'a string',
		]) {
			expect(() => observe(TOKEN_A, { ok: false, error, selfInspected: true }, { nowMs: T0 })).toThrow();
			try {
				observe(TOKEN_A, { ok: false, error, selfInspected: true }, { nowMs: T0 });
			} catch (thrown) {
				expect(thrown).toBe(error);
			}
		}
	});
});

describe("answerOf: Inspect's answer for a token", () => {
	it("is Meta's answer, or a dead self-inspected token's refusal as a not-valid answer", () => {
		const data = { is_valid: true, type: 'USER' };
		expect(answerOf({ ok: true, data })).toBe(data);
		const error = new GraphError({ errorClass: 'auth', summary: 'Long GraphError text.', description: 'Renew it.', metaMessage: 'Session has expired', code: 190, subcode: 463 });
		expect(answerOf({ ok: false, error, selfInspected: true })).toEqual({
			is_valid: false,
			error: { code: 190, subcode: 463, message: 'Session has expired' },
		});
	});

	it('throws an auth refusal of the app token, any other failure, and what is not a Graph failure', () => {
		const auth = new GraphError({ errorClass: 'auth', summary: 'app token refused.', description: 'Check the App Secret.', code: 190 });
		expect(() => answerOf({ ok: false, error: auth, selfInspected: false })).toThrow(auth);
		const rateLimit = new GraphError({ errorClass: 'rateLimit', summary: 'slow down.', description: 'Wait.', code: 4 });
		expect(() => answerOf({ ok: false, error: rateLimit, selfInspected: true })).toThrow(rateLimit);
		const plain = new Error('socket hang up');
		expect(() => answerOf({ ok: false, error: plain, selfInspected: true })).toThrow(plain);
	});
});
