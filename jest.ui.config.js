const e2e = require('./jest.e2e.config');

/** @type {import('jest').Config} */
module.exports = {
	...e2e,
	roots: ['<rootDir>/test/ui'],
	testMatch: ['**/*.ui.ts'],
	// `n8n start` takes up to a minute on two slow cores; each step of the journey a few seconds to a minute.
	testTimeout: 300_000,
};
