/**
 * The two servers a node test needs when the node both calls Meta and talks to n8n's public API
 * (Save to Credential, Check for Alerts' history, tool mode, SSRF protection): the Graph double with
 * the test's app, and the n8n public API stand-in with its key — started once per file, emptied
 * before each test. Each file adds what its own tests need (stored credentials, scopes, logs).
 */
import { GraphDouble } from '../../../tools/graph-double/GraphDouble';
import type { DoubleApp } from '../../../tools/graph-double/model';
import { N8nPublicApiStandIn } from '../../support/n8nPublicApi';

export interface GraphAndN8nApi {
	double: GraphDouble;
	api: N8nPublicApiStandIn;
}

/** Registers the file's hooks; the servers are on the returned object from `beforeAll` on. */
export function useGraphDoubleAndN8nApi(app: DoubleApp, apiKey: string): GraphAndN8nApi {
	const servers = {} as GraphAndN8nApi;
	beforeAll(async () => {
		servers.double = await GraphDouble.start();
		servers.double.addApp(app);
		servers.api = await N8nPublicApiStandIn.start(apiKey);
	});
	afterAll(async () => {
		await servers.double.stop();
		await servers.api.stop();
	});
	beforeEach(() => {
		servers.double.clearFaults();
		servers.double.clearRequests();
		servers.api.reset();
	});
	return servers;
}
