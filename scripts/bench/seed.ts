/** The tokens the bench inspects, and the Graph double's seed for them: mixed kinds and states. */
import { DAY, REPORTING_APP, nowSeconds, tokenFor } from '../../e2e/support/tokens';
import type { DoubleApp, DoubleTokenSpec } from '../../tools/graph-double/model';

const APP = REPORTING_APP;
const T = nowSeconds();
const INVALIDATED = {
	code: 190,
	subcode: 460,
	message:
		'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.',
};

/** Token i's kind and state: mostly valid user tokens, with every other kind and state mixed in. */
function tokenSpec(token: string, i: number): DoubleTokenSpec | null {
	const user = { token, type: 'USER' as const, appId: APP.id, userId: String(100000 + i), scopes: ['ads_read', 'ads_management'] };
	switch (i % 20) {
		case 0:
			return { token, type: 'PAGE', appId: APP.id, userId: String(100000 + i), profileId: String(500000 + i), scopes: ['pages_show_list'], expiresAt: 0 };
		case 1:
			return { token, type: 'SYSTEM_USER', appId: APP.id, userId: String(700000 + i), scopes: ['ads_read'], expiresAt: 0 };
		case 2:
			return { token, type: 'SYSTEM_USER', appId: APP.id, userId: String(700000 + i), scopes: ['ads_read'], expiresAt: T + 20 * DAY, expiringSystemUser: true };
		case 3:
			return { ...user, issuedAt: T - 61 * DAY, expiresAt: T - 3600 };
		case 4:
			return { ...user, issuedAt: T - 10 * DAY, expiresAt: T + 50 * DAY, invalid: INVALIDATED };
		case 5:
			return { ...user, issuedAt: T - 57 * DAY, expiresAt: T + 3 * DAY, dataAccessExpiresAt: T + 80 * DAY };
		case 6:
			// Never seeded: the double knows nothing of it (is_valid false, like a mistyped token).
			return null;
		default:
			return { ...user, issuedAt: T - 10 * DAY, expiresAt: T + 50 * DAY, dataAccessExpiresAt: T + 80 * DAY };
	}
}

export function benchTokens(count: number): string[] {
	return Array.from({ length: count }, (_, i) => tokenFor(`bench-${i}`));
}

export function benchSeed(tokens: string[]): { apps: DoubleApp[]; tokens: DoubleTokenSpec[] } {
	return {
		apps: [APP],
		tokens: tokens.map((token, i) => tokenSpec(token, i)).filter((spec): spec is DoubleTokenSpec => spec !== null),
	};
}
