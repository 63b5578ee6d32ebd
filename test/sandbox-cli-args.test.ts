import { parseArgs, USAGE } from '../sandbox/cli-args';
import { startSandbox } from '../sandbox/server';

describe('the sandbox CLI flags', () => {
	it('leave rate limit and latency alone by default', () => {
		expect(parseArgs([])).toEqual({
			help: false,
			options: {
				port: 4010,
				host: '127.0.0.1',
				seed: undefined,
				rateLimit: undefined,
				latency: undefined,
			},
		});
	});

	it('turn the rate limit on with --rate-limit or any of its settings', () => {
		expect(parseArgs(['--rate-limit']).options.rateLimit).toEqual({});
		const args = ['--capacity', '5', '--refill-per-second=0.5', '--no-retry-after'];
		expect(parseArgs(args).options.rateLimit).toEqual({
			capacity: 5,
			refillPerSecond: 0.5,
			retryAfter: false,
		});
	});

	it('set sync and other latency', () => {
		expect(parseArgs(['--latency-ms', '200', '--other-latency-ms', '20']).options.latency).toEqual({
			syncMs: 200,
			otherMs: 20,
		});
	});

	it('give a sandbox the settings they describe', async () => {
		const { options } = parseArgs(['--port', '0', '--rate-limit', '--latency-ms', '5']);
		const sandbox = await startSandbox(options);
		try {
			expect(sandbox.admin.rateLimit()).toMatchObject({ enabled: true, capacity: 90 });
			expect(sandbox.admin.latency()).toEqual({ syncMs: 5, otherMs: 0 });
		} finally {
			await sandbox.close();
		}
	});

	it('are all documented in the usage text', () => {
		expect(parseArgs(['--help']).help).toBe(true);
		for (const flag of [
			'--port',
			'--host',
			'--seed',
			'--rate-limit',
			'--capacity',
			'--refill-per-second',
			'--no-retry-after',
			'--latency-ms',
			'--other-latency-ms',
		]) {
			expect(USAGE).toContain(flag);
		}
	});

	it('refuse unknown flags, stray words and missing values', () => {
		expect(() => parseArgs(['--capcity', '5'])).toThrow(/Unknown option "--capcity"/);
		expect(() => parseArgs(['4010'])).toThrow(/Unexpected argument/);
		expect(() => parseArgs(['--capacity'])).toThrow(/needs a value/);
		expect(() => parseArgs(['--port', 'x'])).toThrow(/--port/);
	});
});
