import { evaluateAlerts } from '../../nodes/policy/alertPolicy';
import { ALERT_EVENTS, resolveAlertSettings } from '../../nodes/policy/alertSettings';

/** The Thresholds setting as the settings resolve it. */
const parseThresholds = (thresholds: string | number[]) => resolveAlertSettings({ thresholds }).thresholds;
import { DAY, inspected, T0, TOKEN_A, userAnswer } from './alertFixtures';

describe('settings', () => {
	it.each<[string | number[], number[]]>([
		['14,7,3,1', [14, 7, 3, 1]],
		['1, 3 ,7,14', [14, 7, 3, 1]],
		['7,7,3', [7, 3]],
		['0.5, 2', [2, 0.5]],
		['.25', [0.25]],
		['1;2 3', [3, 2, 1]],
		[[1, 14, 7, 7], [14, 7, 1]],
	])('Thresholds %j → %j', (input, expected) => {
		expect(parseThresholds(input)).toEqual(expected);
	});

	it.each<[string | number[], string]>([
		['abc', '"abc"'],
		['14,x,3', '"x"'],
		['0', '"0"'],
		['-1', '"-1"'],
		['1e3', '"1e3"'],
		['0x10', '"0x10"'],
		['', '""'],
		[' , ', '" , "'],
		[[], '""'],
		[[3, Number.NaN], '"NaN"'],
		[[-2], '"-2"'],
		[[Number.POSITIVE_INFINITY], '"Infinity"'],
	])('Thresholds %j throws naming the field and the value', (input, shown) => {
		expect(() => parseThresholds(input)).toThrow(/^Thresholds: /);
		expect(() => parseThresholds(input)).toThrow(shown);
	});

	it('defaults: thresholds 14,7,3,1, every event, no scopes, 24 hours, no renewal link', () => {
		expect(resolveAlertSettings()).toEqual({
			thresholds: [14, 7, 3, 1],
			events: [...ALERT_EVENTS],
			requiredScopes: [],
			checkFailingAfterHours: 24,
			renewalUrl: null,
		});
	});

	it('accepts events as a list or a string, and scopes and hours as strings', () => {
		expect(
			resolveAlertSettings({
				events: 'expired, invalid',
				requiredScopes: 'ads_read, ads_management',
				checkFailingAfterHours: '6',
			}),
		).toMatchObject({ events: ['expired', 'invalid'], requiredScopes: ['ads_read', 'ads_management'], checkFailingAfterHours: 6 });
		// An empty list would silently never alert: it is refused.
		expect(() => resolveAlertSettings({ events: [] })).toThrow(/^Events: none selected/);
		expect(() => resolveAlertSettings({ events: ' , ' })).toThrow(/^Events: none selected/);
	});

	it('rejects unknown events and bad hours, naming the field', () => {
		expect(() => resolveAlertSettings({ events: ['expiring', 'exploded'] })).toThrow(/^Events: "exploded"/);
		expect(() => resolveAlertSettings({ checkFailingAfterHours: -1 })).toThrow(/^Check Failing After Hours: "-1"/);
		expect(() => resolveAlertSettings({ checkFailingAfterHours: 'soon' })).toThrow(/Check Failing After Hours/);
	});

	it('evaluateAlerts throws on bad settings (the trigger fails activation visibly)', () => {
		const observation = inspected(TOKEN_A, userAnswer(T0 + 30 * DAY), T0);
		expect(() => evaluateAlerts(undefined, observation, { thresholds: '7,x' }, T0)).toThrow(/Thresholds: "x"/);
	});
});
