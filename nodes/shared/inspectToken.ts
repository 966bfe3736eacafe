/**
 * The one way a single token is inspected: `debug_token` with the app token when the credential
 * has App ID and App Secret (it can still read a token that already died), else with the token
 * itself. The trigger's poll, Inspect and Check for Alerts (a run of one token, or tokens that
 * inspect themselves), Refresh's check and Revoke's detection all call this, so each says the same
 * about who inspected the token.
 */
import type { GraphClient } from '../graph/GraphClient';
import type { Inspection } from '../policy/observations';

/** Inspects one token; never throws: a failed call is an `ok: false` inspection. */
export async function inspectToken(client: Pick<GraphClient, 'appToken' | 'debugToken'>, token: string): Promise<Inspection> {
	const accessToken = client.appToken() ?? token;
	try {
		return { ok: true, data: await client.debugToken(token, { accessToken }) };
	} catch (error) {
		return { ok: false, error, selfInspected: accessToken === token };
	}
}
