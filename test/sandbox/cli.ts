/**
 * `npm run sandbox [-- --port 4010 --host 127.0.0.1 --seed path/to/seed.json]`: the sandbox as a
 * standalone server, for pointing a real n8n (or curl) at it by hand.
 */
import { loadSeedFile } from './seed';
import { startSandbox } from './server';

const DEFAULT_PORT = 4010;
const DEFAULT_HOST = '127.0.0.1';

function option(args: string[], name: string): string | undefined {
	const inline = args.find((a) => a.startsWith(`--${name}=`));
	if (inline) return inline.slice(name.length + 3);
	const at = args.indexOf(`--${name}`);
	return at >= 0 ? args[at + 1] : undefined;
}

async function main(): Promise<void> {
	const args = process.argv.slice(2);
	const port = Number(option(args, 'port') ?? DEFAULT_PORT);
	if (!Number.isInteger(port) || port < 0 || port > 65535) {
		throw new Error(`--port must be an integer between 0 and 65535`);
	}
	const seedPath = option(args, 'seed');
	const sandbox = await startSandbox({
		port,
		host: option(args, 'host') ?? DEFAULT_HOST,
		seed: seedPath ? loadSeedFile(seedPath) : undefined,
	});
	const { url, state } = sandbox;
	const keys = state.apiKeys.join(', ');
	console.log(
		[
			`OFAuth Vault+ sandbox listening on ${url}`,
			`  API key(s):   ${keys}   (header "apiKey")`,
			`  Connections:  ${state.connections.map((c) => c.id).slice(0, 5).join(', ')}, …`,
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
