/**
 * `npm run dev`: n8n 2.41.1 on http://localhost:5678 with the packed package, the example workflows and
 * the credentials for the Vault+ sandbox and a local SMTP server, both running behind it, to try the node
 * in the editor. Ctrl-C stops everything it started.
 */
import { OWNER, setUpPackagedN8n } from './demo/setup';
import { DEMO_TARGETS } from './demo/story';
import { demoWorkflow, loadExample } from './demo/workflows';

async function main(): Promise<void> {
	const log = (line: string) => process.stderr.write(`  ${line}\n`);
	const examples = (['syncOne', 'nightly', 'allLists', 'errorWorkflow'] as const).map((name) => loadExample(name));
	const demo = await setUpPackagedN8n({ log, sandboxPort: 4010, workflows: [...examples, demoWorkflow(DEMO_TARGETS)] });
	let stopping = false;
	const stop = async (code: number) => {
		if (stopping) return;
		stopping = true;
		console.log('\nStopping n8n and the sandbox…');
		await demo.close();
		process.exit(code);
	};
	for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => void stop(0));
	try {
		log('n8n start (about 10 s)');
		const server = await demo.instance.start({ port: 5678 });
		await server.setupOwner(OWNER);
		console.log(`
n8n is running with the Vault+ Sync node: ${server.url.replace('127.0.0.1', 'localhost')}
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
