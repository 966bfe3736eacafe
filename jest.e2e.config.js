/**
 * End-to-end suite: real n8n (both majors, from the install cache) running this package from its
 * packed tarball against the Graph API double as a separate process. Run with `npm run test:e2e`
 * (installs and builds first); never part of `npm test`.
 * @type {import('jest').Config}
 */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/e2e'],
	testMatch: ['**/*.e2e.test.ts'],
	// e2e/queue/ is the production suite (Postgres, Redis, queue mode): jest.e2e.queue.config.js.
	testPathIgnorePatterns: ['/node_modules/', '<rootDir>/e2e/queue/'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { diagnostics: false }],
	},
	// The machine has 2 cores and each n8n boot takes one: files and majors run one after another.
	maxWorkers: 1,
	testTimeout: 15 * 60 * 1000,
	slowTestThreshold: 600,
	// One line per test with its time: the per-major cost is the point of the report.
	verbose: true,
};
