/**
 * `npm run sandbox [-- --port 4010 --rate-limit --latency-ms 200 …]` (`--help` lists the flags):
 * the sandbox as a standalone server, for pointing a real n8n (or curl) at it by hand.
 */
import { parseArgs, USAGE } from './cli-args';
import { startSandbox } from './server';

async function main(): Promise<void> {
	const { help, options } = parseArgs(process.argv.slice(2));
	if (help) {
		console.log(USAGE);
		return;
	}
	const sandbox = await startSandbox(options);
	const { url, state, admin } = sandbox;
	const keys = state.apiKeys.join(', ');
	const rate = admin.rateLimit();
	const latency = admin.latency();
	console.log(
		[
			`OFAuth Vault+ sandbox listening on ${url}`,
			`  API key(s):   ${keys}   (header "apiKey")`,
			`  Connections:  ${state.connections.map((c) => c.id).slice(0, 5).join(', ')}, …`,
			rate.enabled
				? `  Rate limit:   ${rate.capacity} burst, ${rate.refillPerSecond}/s per connection` +
					`, Retry-After ${rate.retryAfter ? 'on' : 'off'}`
				: '  Rate limit:   off',
			`  Latency:      sync ${latency.syncMs} ms, other ${latency.otherMs} ms`,
			'  API:',
			`    GET  ${url}/v2/account/whoami`,
			`    GET  ${url}/v2/account/connections?status=&limit=&offset=`,
			`    GET  ${url}/v2/access/vault/lists?limit=&offset=&query=   (x-connection-id)`,
			`    PUT  ${url}/v2/vault-plus/lists/:listId/sync              (x-connection-id)`,
			'  Admin (no auth):',
			`    GET|DELETE ${url}/__sandbox/requests`,
			`    GET        ${url}/__sandbox/state`,
			`    POST       ${url}/__sandbox/reset`,
			`    PUT|PATCH  ${url}/__sandbox/connections/:connectionId/lists/:listId/media`,
			`    POST       ${url}/__sandbox/connections/:connectionId/session      {"status": …}`,
			`    POST       ${url}/__sandbox/connections/:connectionId/vault-plus   {"enabled": …}`,
			`    GET|POST|DELETE ${url}/__sandbox/faults`,
			`    GET|POST|DELETE ${url}/__sandbox/faults/random   {"rate": 0.1, "seed": 1, …}`,
			`    GET|PUT    ${url}/__sandbox/rate-limit   {"capacity": 90, "refillPerSecond": 1, …}`,
			`    GET|PUT    ${url}/__sandbox/latency      {"syncMs": 0, "otherMs": 0}`,
			`    GET|DELETE ${url}/__sandbox/stats`,
			'Ctrl+C to stop.',
		].join('\n'),
	);

	let stopping = false;
	const stop = (signal: string) => {
		if (stopping) return;
		stopping = true;
		console.log(`\n${signal}: stopping sandbox`);
		sandbox.close().then(
			() => process.exit(0),
			(error: unknown) => {
				console.error(error);
				process.exit(1);
			},
		);
	};
	process.on('SIGINT', () => stop('SIGINT'));
	process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
	console.error(error instanceof Error ? error.message : error);
	process.exit(1);
});
