/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test/e2e'],
	testMatch: ['**/*.e2e.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json' }],
	},
	setupFiles: ['<rootDir>/test/setup-env.ts'],
	// Each n8n CLI call takes seconds; `n8n start` about ten.
	testTimeout: 180_000,
	reporters: ['default', '<rootDir>/test/summary-reporter.js'],
};
