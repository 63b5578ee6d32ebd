const e2e = require('./jest.e2e.config');

/** @type {import('jest').Config} */
module.exports = {
	...e2e,
	roots: ['<rootDir>/test/queue'],
	// Bringing up Redis, PostgreSQL and three n8n processes takes about a minute (longer when
	// redis-server or postgresql must be installed first); each round takes seconds.
	testTimeout: 180_000,
};
