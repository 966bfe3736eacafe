/**
 * The production suite (`npm run test:e2e:queue`): n8n 2.x in queue mode on Postgres and Redis
 * (started by the suite from Debian's packages), and both of n8n's pollers through restarts in the
 * middle of a Graph outage, on SQLite and in queue mode. Files under e2e/queue/.
 * @type {import('jest').Config}
 */
const base = require('./jest.e2e.config.js');

module.exports = {
	...base,
	roots: ['<rootDir>/e2e/queue'],
	testPathIgnorePatterns: ['/node_modules/'],
	testTimeout: 30 * 60 * 1000,
	// outage.e2e.test.ts runs its six deployments at once (it.concurrent): paced by real one-minute
	// polls, they mostly wait; one after the other they would take an hour.
	maxConcurrency: 6,
};
