import {
	classifyBadAnswer,
	classifyGraphError,
	errorEnvelopeOf,
	type ClassifyContext,
	type GraphErrorEnvelope,
} from '../../nodes/graph/classify';
import type { GraphError } from '../../nodes/graph/GraphError';
import type { AuthReason, GraphErrorClass } from '../../nodes/meta/types';

const NOW = Date.UTC(2026, 0, 1);
const context = (extra: Partial<ClassifyContext> = {}): ClassifyContext => ({
	httpStatus: 400,
	nowMs: NOW,
	secrets: [],
	...extra,
});
const classify = (envelope: GraphErrorEnvelope, extra: Partial<ClassifyContext> = {}): GraphError =>
	classifyGraphError(envelope, context(extra));


describe('auth errors', () => {
	it.each<[number, AuthReason]>([
		[463, 'expired'],
		[460, 'passwordChanged'],
		[458, 'notAuthorized'],
		[459, 'checkpoint'],
		[492, 'noPageRole'],
		[493, 'inactive'],
		[464, 'invalid'],
		[467, 'invalid'],
	])('190/%i is auth/%s and never retried', (subcode, reason) => {
		const error = classify({ code: 190, error_subcode: subcode, message: 'Error validating access token' });
		expect(error.errorClass).toBe('auth');
		expect(error.reason).toBe(reason);
		expect(error.retryable).toBe(false);
		expect(error.subcode).toBe(subcode);
	});

	it('reads the reason from the message when the subcode is 0 or absent', () => {
		const expired = 'Error validating access token: Session has expired on Friday, 18-Aug-23 10:00:00 PDT.';
		expect(classify({ code: 190, error_subcode: 0, message: expired }).reason).toBe('expired');
		expect(classify({ code: 190, message: expired }).reason).toBe('expired');
		const password =
			'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.';
		expect(classify({ code: 190, message: password }).reason).toBe('passwordChanged');
		expect(classify({ code: 190, message: 'Invalid OAuth access token - Cannot parse access token' }).reason).toBe(
			'invalid',
		);
	});

	it.each([102, 2500])('code %i is auth too', (code) => {
		const error = classify({ code, message: 'An active access token must be used to query information about the current user.' });
		expect(error.errorClass).toBe('auth');
		expect(error.reason).toBe('invalid');
	});

	it.each([200, 401, 403, 500])('classifies by code, not by HTTP status %i', (httpStatus) => {
		const error = classify({ code: 190, error_subcode: 463 }, { httpStatus });
		expect(error.errorClass).toBe('auth');
		expect(error.httpStatus).toBe(httpStatus);
	});

	it('says what happened and what to do', () => {
		const error = classify({ code: 190, error_subcode: 463, message: 'Session has expired', fbtrace_id: 'AbC123' });
		expect(error.message).toContain(
			'The Meta access token has expired. Generate a new token (Facebook: Graph API Explorer; Instagram or Threads: your app\'s login) and exchange it for a long-lived one — or, on Facebook, switch to a system-user token — then update the credential.',
		);
		expect(error.message).toContain('Meta said: "Session has expired"');
		expect(error.description).toMatch(/^Generate a new token/);
		expect(error.metaMessage).toBe('Session has expired');
		expect(error.fbtraceId).toBe('AbC123');
	});

	it('is not made retryable by is_transient', () => {
		const error = classify({ code: 190, error_subcode: 463, is_transient: true });
		expect(error.errorClass).toBe('auth');
		expect(error.retryable).toBe(false);
	});
});

describe('permission errors', () => {
	it('names the permission the message names', () => {
		const error = classify({ code: 200, message: '(#200) Requires business_management permission to manage the object' });
		expect(error.errorClass).toBe('permission');
		expect(error.retryable).toBe(false);
		expect(error.message).toContain('business_management');
		expect(error.description).toContain('business_management');
	});

	it.each([10, 200, 250, 299])('code %i is permission', (code) => {
		const error = classify({ code, message: '(#10) Application does not have permission for this action' });
		expect(error.errorClass).toBe('permission');
		expect(error.message).toContain('lacks a permission');
	});

	it.each([
		['(#200) Requires business_management permission to manage the object', ['business_management']],
		["(#10) This endpoint requires the 'pages_read_engagement' permission", ['pages_read_engagement']],
		['Missing permissions: ads_read', ['ads_read']],
		['(#10) Application does not have permission for this action', []],
	])('names the permissions in %s', (message, names) => {
		const what = names.length > 0 ? `the ${names.join(', ')} permission` : 'a permission';
		expect(classify({ code: 200, message }).summary).toBe(`The token lacks ${what} this call needs, or it was removed.`);
	});
});

describe('appsecret_proof errors', () => {
	it.each([
		'API calls from the server require an appsecret_proof argument',
		'Invalid appsecret_proof provided in the API argument',
	])('100 "%s" is proofRequired', (message) => {
		const error = classify({ code: 100, message, type: 'GraphMethodException' });
		expect(error.errorClass).toBe('proofRequired');
		expect(error.retryable).toBe(false);
		expect(error.message).toContain('Require App Secret');
		expect(error.description).toContain('App Secret');
		expect(error.description).toContain('App Secret Proof');
	});
});

describe('rate limits', () => {
	it.each([4, 17, 32, 341, 613, 80000, 80004, 80014])('code %i is rateLimit and retryable', (code) => {
		const error = classify({ code, message: '(#4) Application request limit reached' });
		expect(error.errorClass).toBe('rateLimit');
		expect(error.retryable).toBe(true);
		expect(error.retryAfterMs).toBeUndefined();
	});

	it('code 80015 is outside the range', () => {
		expect(classify({ code: 80015 }).errorClass).toBe('badRequest');
	});

	it('waits the longest estimated_time_to_regain_access across business entries (minutes)', () => {
		const headers = {
			'x-business-use-case-usage': JSON.stringify({
				'111': [{ type: 'ads_management', call_count: 100, estimated_time_to_regain_access: 3 }],
				'222': [
					{ type: 'ads_insights', call_count: 40, estimated_time_to_regain_access: 0 },
					{ type: 'pages', call_count: 100, estimated_time_to_regain_access: 7 },
				],
			}),
			'retry-after': '5',
		};
		const error = classify({ code: 80004 }, { headers });
		expect(error.retryAfterMs).toBe(7 * 60_000);
		expect(error.summary).toContain('the business use case limit "pages" of business 222');
		expect(error.summary).toContain('Meta asked to wait 7 minutes.');
		expect(error.description).toContain('Run it again after 7 minutes');
	});

	it('only rate limits carry a wait', () => {
		const error = classify({ code: 190 }, { headers: { 'retry-after': '5' } });
		expect(error.retryAfterMs).toBeUndefined();
	});
});


describe('other classes', () => {
	it.each<[GraphErrorEnvelope, number, GraphErrorClass, boolean]>([
		[{ code: 1, message: 'An unknown error occurred' }, 500, 'transient', true],
		[{ code: 2, message: 'Service temporarily unavailable' }, 503, 'transient', true],
		[{ code: 100, is_transient: true }, 400, 'transient', true],
		[{ code: 100, message: 'Invalid parameter' }, 400, 'badRequest', false],
		[{ code: 100, message: 'Invalid parameter' }, 500, 'badRequest', false],
		[{ code: 803, message: 'Some of the aliases you requested do not exist' }, 404, 'badRequest', false],
		[{ code: 12345, message: 'Something broke' }, 500, 'transient', true],
		[{ message: 'No code at all' }, 502, 'transient', true],
		[{ code: 368, message: 'The action attempted has been deemed abusive' }, 400, 'policy', false],
	])('%j on %i is %s (retryable %s)', (envelope, httpStatus, errorClass, retryable) => {
		const error = classify(envelope, { httpStatus });
		expect(error.errorClass).toBe(errorClass);
		expect(error.retryable).toBe(retryable);
		expect(error.message.length).toBeGreaterThan(40);
		expect(error.description.length).toBeGreaterThan(20);
	});

	it('badRequest keeps Meta message with the user message', () => {
		const error = classify({ code: 100, message: 'Invalid parameter', error_user_msg: 'The scope is unknown.' });
		expect(error.metaMessage).toBe('Invalid parameter — The scope is unknown.');
		expect(error.reason).toBeUndefined();
	});
});

describe('what the message and flags say beyond the code', () => {
	it.each([
		[10, 460, 'passwordChanged'],
		[100, 463, 'expired'],
		[1, 458, 'notAuthorized'],
		[200, 492, 'noPageRole'],
		[102, 493, 'inactive'],
		[4, 459, 'checkpoint'],
		[190, 461, 'notAuthorized'],
		[190, 466, 'notAuthorized'],
		[190, 465, 'invalid'],
	])('an OAuth subcode decides first: code %i with subcode %i is auth/%s', (code, subcode, reason) => {
		const error = classify({ code, error_subcode: subcode, message: 'Error validating access token' });
		expect(error.errorClass).toBe('auth');
		expect(error.reason).toBe(reason);
		expect(error.retryable).toBe(false);
	});

	it('2500 "Unknown path components" is a wrong path or version; "An active access token" is the token', () => {
		const path = classify({ code: 2500, message: 'Unknown path components: /me/adaccounts' });
		expect(path.errorClass).toBe('badRequest');
		expect(path.retryable).toBe(false);
		expect(path.message).toMatch(/not the token/);
		expect(path.description).toMatch(/Graph API Version/);
		const token = classify({ code: 2500, message: 'An active access token must be used to query information about the current user.' });
		expect(token.errorClass).toBe('auth');
	});

	it('code 3 is a capability of the app, not a bad request', () => {
		const error = classify({ code: 3, message: '(#3) Application does not have the capability to make this API call.' });
		expect(error.errorClass).toBe('permission');
		expect(error.summary).toMatch(/capability/);
		expect(error.description).toMatch(/a new token will not help/);
	});

	it('code 1 "Error validating client secret" is a wrong App Secret, never retried', () => {
		const error = classify({ code: 1, message: 'Error validating client secret.' }, { httpStatus: 500 });
		expect(error.errorClass).toBe('appSecret');
		expect(error.retryable).toBe(false);
		expect(error.description).toMatch(/App Secret/);
	});

	it('"Application Secret required for this endpoint" asks for the app token, not a new user token', () => {
		const error = classify({ code: 190, message: '(#190) Application Secret required for this endpoint' });
		expect(error.errorClass).toBe('appSecret');
		expect(error.reason).toBeUndefined();
		expect(error.summary).toMatch(/app access token/);
		expect(error.description).toMatch(/a new user token will not help/);
	});

	it.each([1, 2, 12345])('is_transient: false is never retried as transient (code %i, HTTP 500)', (code) => {
		const error = classify({ code, message: 'An unknown error occurred', is_transient: false }, { httpStatus: 500 });
		expect(error.errorClass).toBe('badRequest');
		expect(error.retryable).toBe(false);
	});

	it('368 with subcode 1390008 is a throttle; other 368s are policy blocks', () => {
		const fast = classify({ code: 368, error_subcode: 1390008, message: "You're going too fast" });
		expect(fast.errorClass).toBe('rateLimit');
		expect(fast.retryable).toBe(true);
		expect(fast.summary).toMatch(/going too fast/);
		expect(classify({ code: 368, error_subcode: 1346003 }).errorClass).toBe('policy');
	});

	it.each([
		'Invalid appsecret_proof provided in the API argument',
		'API calls from the server require an app secret proof',
		'Invalid appsecret proof',
		'Invalid app_secret_proof',
	])('the proof however spelled: "%s"', (message) => {
		expect(classify({ code: 100, message }).errorClass).toBe('proofRequired');
		expect(classify({ code: 190, message }).errorClass).toBe('proofRequired');
	});

	it('an auth code that asks for permissions is a permission problem', () => {
		const error = classify({
			code: 190,
			message: "Any of the pages_read_engagement, pages_show_list permission(s) must be granted before impersonating a user's page.",
		});
		expect(error.errorClass).toBe('permission');
		expect(error.description).toMatch(/pages_read_engagement/);
	});

	it("brings Meta's words for the user into the message: title and text", () => {
		const error = classify({ code: 100, message: 'Invalid parameter', error_user_title: 'Disallowed Post Link', error_user_msg: 'The URL is not allowed.' });
		expect(error.metaMessage).toBe('Invalid parameter — Disallowed Post Link: The URL is not allowed.');
		expect(classify({ code: 100, message: 'm', error_user_msg: '  ' }).metaMessage).toBe('m');
	});

	it('reads announced waits wherever they are: 32 with a business-use-case wait, 17 with an ad-account reset', () => {
		const page = classify(
			{ code: 32, message: '(#32) Page request limit reached' },
			{ headers: { 'x-business-use-case-usage': JSON.stringify({ 9: [{ type: 'pages', call_count: 100, estimated_time_to_regain_access: 12 }] }) } },
		);
		expect(page.retryAfterMs).toBe(12 * 60_000);
		expect(page.summary).toContain('Meta asked to wait 12 minutes');
		const user = classify(
			{ code: 17, message: '(#17) User request limit reached' },
			{ headers: { 'x-ad-account-usage': '{"acc_id_util_pct":100,"reset_time_duration":90}' } },
		);
		expect(user.retryAfterMs).toBe(90_000);
		expect(user.summary).toContain("the ad account's rate limit (x-ad-account-usage)");
	});
});

describe('errorEnvelopeOf', () => {
	it('reads the envelope, tolerating numeric strings', () => {
		expect(
			errorEnvelopeOf({ error: { message: 'm', code: '190', error_subcode: '463', fbtrace_id: 'x', is_transient: false } }),
		).toEqual({
			message: 'm',
			type: undefined,
			code: 190,
			error_subcode: 463,
			fbtrace_id: 'x',
			error_user_title: undefined,
			error_user_msg: undefined,
			is_transient: false,
		});
	});

	it('takes the bare OAuth form and ignores answers without an envelope', () => {
		expect(errorEnvelopeOf({ error: 'invalid_request', error_description: 'Bad code' })).toEqual({ message: 'Bad code' });
		expect(errorEnvelopeOf({ data: [] })).toBeUndefined();
		expect(errorEnvelopeOf([{ error: {} }])).toBeUndefined();
		expect(errorEnvelopeOf({ error: 42 })).toBeUndefined();
		expect(errorEnvelopeOf(null)).toBeUndefined();
	});
});

describe('answers without an envelope', () => {
	it('5xx is transient whatever the body', () => {
		for (const kind of ['html', 'empty', 'malformedJson', 'noEnvelope'] as const) {
			const error = classifyBadAnswer(kind, context({ httpStatus: 502 }));
			expect(error.errorClass).toBe('transient');
			expect(error.retryable).toBe(true);
			expect(error.message).toContain('HTTP 502');
		}
	});

	it('429 is a rate limit honouring retry-after', () => {
		const error = classifyBadAnswer('html', context({ httpStatus: 429, headers: { 'retry-after': '3' } }));
		expect(error.errorClass).toBe('rateLimit');
		expect(error.retryAfterMs).toBe(3000);
	});

	it.each(['html', 'empty', 'malformedJson', 'noEnvelope', 'unexpectedShape'] as const)(
		'%s on a 2xx/4xx is badResponse, not retried',
		(kind) => {
			const error = classifyBadAnswer(kind, context({ httpStatus: 200 }));
			expect(error.errorClass).toBe('badResponse');
			expect(error.retryable).toBe(false);
			expect(error.description).toContain('Base URL');
		},
	);
});

describe('GraphError', () => {
	it('is an Error named GraphError', () => {
		const error = classify({ code: 190, error_subcode: 460, message: 'changed their password' });
		expect(error).toBeInstanceOf(Error);
		expect(error.name).toBe('GraphError');
	});

	it('scrubs known secrets and token shapes from every text', () => {
		const token = 'EAAB' + 'x'.repeat(40);
		const error = classify(
			{ code: 100, message: `Bad token ${token} and secret hunter2-secret`, error_user_msg: 'hunter2-secret' },
			{ secrets: ['hunter2-secret'] },
		);
		for (const text of [error.message, error.description, error.metaMessage ?? '', JSON.stringify(error)]) {
			expect(text).not.toContain(token);
			expect(text).not.toContain('hunter2-secret');
		}
		expect(error.metaMessage).toContain('[redacted]');
	});
});
