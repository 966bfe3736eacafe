/**
 * Permission (scope) lists: how the user's "required scopes" are read and which of them a token
 * lacks.
 *
 * Its own file because three places need the same reading — the inspect record's `missingScopes`,
 * the trigger's `scopesLost` settings and the node's scope options — and they must agree on what
 * "the same permission" means.
 */

/**
 * "ads_read, ads_management" or ["ads_read", "pages_show_list,pages_read_engagement"] → trimmed,
 * lower-cased (Meta's permission names are all lower case, so "ADS_READ" is the same permission),
 * de-duplicated, empties dropped, first-seen order kept.
 */
export function parseScopeList(input: string | string[] | undefined): string[] {
	if (input === undefined || input === null) return [];
	const parts = (Array.isArray(input) ? input : [input])
		.filter((part): part is string => typeof part === 'string')
		.flatMap((part) => part.split(/[\s,;]+/))
		.map((scope) => scope.trim().toLowerCase())
		.filter((scope) => scope !== '');
	return [...new Set(parts)];
}

/** Required scopes the granted list lacks, in the order they were required. */
export function missingScopesOf(granted: readonly string[], required: readonly string[]): string[] {
	const have = new Set(granted.map((scope) => scope.toLowerCase()));
	return parseScopeList([...required]).filter((scope) => !have.has(scope));
}
