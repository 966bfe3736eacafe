/**
 * Real Graph error answers (test/graph/fixtures/realAnswers.ts) through the sender's own
 * interpreter — the same path every Graph call's answer takes — checking what the user is told:
 * the class of fix, the reason of an auth error, whether it is retried, and the words.
 */
import { GraphError } from '../../nodes/graph/GraphError';
import { GraphSender } from '../../nodes/graph/sender';
import { REAL_ANSWERS, type RealAnswer } from './fixtures/realAnswers';

const NOW = Date.UTC(2026, 0, 1);
const SECRET_TOKEN = 'EAAFixtureToken1234567890abcdefABCDEF';

const sender = new GraphSender({
	transport: async () => {
		throw new Error('the interpreter alone is under test');
	},
	sleep: async () => undefined,
	now: () => NOW,
});

function interpret(answer: RealAnswer): GraphError {
	const outcome = sender.interpret(
		{
			statusCode: answer.status,
			headers: answer.headers ?? { 'content-type': 'application/json; charset=UTF-8' },
			body: JSON.stringify(answer.body),
		},
		[SECRET_TOKEN],
	);
	if (!(outcome instanceof GraphError)) throw new Error(`${answer.name}: not read as an error`);
	return outcome;
}

const cases = REAL_ANSWERS.map((answer) => [answer.name, answer] as const);

describe('real Graph error answers', () => {
	it('are at least 40, each with its source, at most a few of them assembled', () => {
		expect(REAL_ANSWERS.length).toBeGreaterThanOrEqual(40);
		for (const answer of REAL_ANSWERS) expect(answer.source.length).toBeGreaterThan(10);
		const seenWhole = REAL_ANSWERS.filter((answer) => answer.taken !== 'assembled');
		expect(seenWhole.length).toBeGreaterThanOrEqual(40);
		for (const answer of REAL_ANSWERS.filter((a) => a.taken !== 'verbatim')) expect(answer.note).toBeTruthy();
	});

	it.each(cases)('%s: classified', (_name, answer) => {
		const error = interpret(answer);
		expect({ class: error.errorClass, reason: error.reason, retryable: error.retryable }).toEqual({
			class: answer.expected.class,
			reason: answer.expected.reason,
			retryable: answer.expected.retryable,
		});
	});

	it.each(cases)('%s: worded', (_name, answer) => {
		const error = interpret(answer);
		for (const words of answer.expected.says ?? []) expect(error.message).toMatch(words);
		// What happened, what to do, and Meta's own message.
		expect(error.summary.length).toBeGreaterThan(20);
		expect(error.description.length).toBeGreaterThan(20);
		const message = (answer.body as { error: { message?: string } }).error.message;
		if (message) expect(error.message).toContain(message.trim().slice(0, 30));
	});
});

describe("Meta's words for the user are scrubbed like Meta's message", () => {
	it('keeps error_user_title and error_user_msg, without a token pasted into them', () => {
		const outcome = sender.interpret(
			{
				statusCode: 400,
				headers: {},
				body: JSON.stringify({
					error: {
						message: 'Invalid parameter',
						code: 100,
						error_user_title: 'Token rejected',
						error_user_msg: `The token ${SECRET_TOKEN} cannot post here`,
					},
				}),
			},
			[SECRET_TOKEN],
		) as GraphError;
		expect(outcome.message).toContain('Token rejected: The token [redacted] cannot post here');
		expect(outcome.message).not.toContain(SECRET_TOKEN);
	});
});
