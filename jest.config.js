/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	// Unit tests live beside the layers they test; the Graph API double and cross-layer tests under test/.
	roots: ['<rootDir>/lib', '<rootDir>/credentials', '<rootDir>/nodes', '<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: {
		// Type errors are caught by `npm run typecheck`; transpiling alone keeps the suite fast.
		'^.+\\.ts$': ['ts-jest', { diagnostics: false }],
	},
	testPathIgnorePatterns: ['/node_modules/', '/dist/'],
	testTimeout: 20000,
	setupFilesAfterEnv: ['<rootDir>/test/support/releaseN8nCore.ts'],
};
