/**
 * `npm run dev`: n8n 2.41.1 with the packed package, the sandbox credential and the example workflows,
 * on http://localhost:5678, with the Vault+ sandbox behind it, for trying the node in the editor.
 * Ctrl-C stops everything it started.
 */
import { setUpDemo, type DemoSetup } from './demo/setup';

const N8N_PORT = 5678;
const SANDBOX_PORT = 4010;
const OWNER = { email: 'owner@vault-plus.test', password: 'VaultPlus1demo', firstName: 'Vault', lastName: 'Owner' };

async function main(): Promise<void> {
	const log = (line: string) => process.stderr.write(`  ${line}\n`);
	let demo: DemoSetup;
	try {
		demo = await setUpDemo({ log, sandboxPort: SANDBOX_PORT });
	} catch (error) {
		if (!String((error as Error).message).includes('EADDRINUSE')) throw error;
		log(`port ${SANDBOX_PORT} is taken; the sandbox takes a free one`);
		demo = await setUpDemo({ log });
	}

	let stopping = false;
	const stop = async (code: number) => {
		if (stopping) return;
		stopping = true;
		console.log('\nStopping n8n and the sandbox…');
		await demo.close();
		process.exit(code);
	};
	process.on('SIGINT', () => void stop(0));
	process.on('SIGTERM', () => void stop(0));

	try {
		log('n8n start (about 10 s)');
		const server = await demo.instance.start({ port: N8N_PORT });
		await server.setupOwner(OWNER);
		const editorUrl = server.url.replace('127.0.0.1', 'localhost');
		console.log(`
n8n is running with the Vault+ Sync node: ${editorUrl}
  log in as ${OWNER.email} / ${OWNER.password}
  workflows: "Vault+: sync one list", the two nightly examples, their error workflow, "Vault+ demo: sync four lists"
  credential "OFAuth API" points at the Vault+ sandbox: ${demo.sandbox.url} (API key test-key)
  credential "SMTP account" points at a local SMTP server that keeps what it gets: ${demo.mailbox.host}:${demo.mailbox.port}
  sandbox admin API: ${demo.sandbox.url}/__sandbox/state, /__sandbox/requests, /__sandbox/reset
  n8n log: ${server.logFile}
Press Ctrl-C to stop.`);
	} catch (error) {
		console.error(error instanceof Error ? error.message : error);
		await stop(1);
	}
}

main().catch((error: unknown) => {
	console.error(error instanceof Error ? error.message : error);
	process.exit(1);
});
