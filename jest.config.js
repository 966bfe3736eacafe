/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	// Tests live under test/, mirroring what they test (test/graph ↔ nodes/graph, test/tools ↔ tools, …):
	// only shipped code sits under nodes/ and credentials/, which n8n's verification scanner reads in
	// full; the Graph double and the n8n-core harness are tools (tools/), used by tests and scripts alike.
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: {
		// Type errors are caught by `npm run typecheck`; transpiling alone keeps the suite fast.
		'^.+\\.ts$': ['ts-jest', { diagnostics: false }],
	},
	testPathIgnorePatterns: ['/node_modules/', '/dist/'],
	testTimeout: 20000,
	setupFilesAfterEnv: ['<rootDir>/test/support/releaseN8nCore.ts'],
};
