import { parseScopeList } from '../../nodes/policy/scopes';

describe('parseScopeList', () => {
	it.each<[string | string[] | undefined, string[]]>([
		['ads_read, ads_management', ['ads_read', 'ads_management']],
		[' ads_read ,, ads_read ,\nADS_MANAGEMENT ', ['ads_read', 'ads_management']],
		[['ads_read', 'pages_show_list,pages_read_engagement', ' '], ['ads_read', 'pages_show_list', 'pages_read_engagement']],
		['', []],
		[undefined, []],
		[[], []],
	])('%j → %j', (input, expected) => {
		expect(parseScopeList(input)).toEqual(expected);
	});
});
