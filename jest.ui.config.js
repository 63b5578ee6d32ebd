/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test/ui'],
	testMatch: ['**/*.ui.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json' }],
	},
	setupFiles: ['<rootDir>/test/setup-env.ts'],
	// `n8n start` takes up to a minute on two slow cores; each step of the journey a few seconds to a minute.
	testTimeout: 300_000,
	reporters: ['default', '<rootDir>/test/summary-reporter.js'],
};
