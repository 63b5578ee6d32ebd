/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test/queue'],
	testMatch: ['**/*.e2e.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json' }],
	},
	setupFiles: ['<rootDir>/test/setup-env.ts'],
	// Bringing up Redis, PostgreSQL and three n8n processes takes about a minute (longer when
	// redis-server or postgresql must be installed first); each round takes seconds.
	testTimeout: 180_000,
	reporters: ['default', '<rootDir>/test/summary-reporter.js'],
};
