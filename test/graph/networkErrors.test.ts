import { classifyNetworkError, systemErrorCode } from '../../nodes/graph/networkErrors';
import { networkError } from './fakes';

describe('network errors', () => {
	it('keeps only a system error code, never the raw message', () => {
		const cause = Object.assign(new Error('connect ECONNREFUSED with Authorization: Bearer SECRETTOKEN'), {
			code: 'ECONNREFUSED',
		});
		const error = classifyNetworkError(Object.assign(new TypeError('fetch failed'), { cause }), []);
		expect(error.errorClass).toBe('network');
		expect(error.retryable).toBe(true);
		expect(error.message).toContain('ECONNREFUSED');
		expect(error.message).not.toContain('SECRETTOKEN');
		expect(JSON.stringify(error)).not.toContain('SECRETTOKEN');
	});

	it('recognises timeouts and survives odd rejections', () => {
		const timeout = Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' });
		expect(classifyNetworkError(timeout, []).message).toContain('(timeout)');
		expect(classifyNetworkError('a string', []).errorClass).toBe('network');
		expect(classifyNetworkError(undefined, []).errorClass).toBe('network');
		expect(classifyNetworkError({ code: 'lower case, with spaces' }, []).message).not.toContain('lower case');
	});
});


describe('systemErrorCode', () => {
	it('finds the outermost system error code, a few causes deep', () => {
		expect(systemErrorCode(networkError('ECONNRESET'))).toBe('ECONNRESET');
		const wrapped = { code: 'lower', cause: { cause: { code: 'EAI_AGAIN' } } };
		expect(systemErrorCode(wrapped)).toBe('EAI_AGAIN');
		expect(systemErrorCode({ code: 'ETIMEDOUT', cause: { code: 'ECONNRESET' } })).toBe('ETIMEDOUT');
	});

	it('is undefined for anything else, however deep its cause', () => {
		expect(systemErrorCode({ cause: { cause: { cause: { code: 'ECONNRESET' } } } })).toBeUndefined();
		expect(systemErrorCode(Object.assign(new Error('x'), { code: 'Bearer EAAsecret' }))).toBeUndefined();
		expect(systemErrorCode('ECONNRESET')).toBeUndefined();
		expect(systemErrorCode(null)).toBeUndefined();
	});
});
