/**
 * What `npm run demo` and `npm run dev` share: a pinned n8n, the package packed as users get it, the
 * local Vault+ sandbox, and a fresh n8n user folder with the sandbox credential and the workflows.
 */
import path from 'node:path';

import type { Sandbox } from '../../test/sandbox/server';
import { startSandbox } from '../../test/sandbox/server';
import { createUserFolder, packPackage, type N8nInstance } from '../n8n-instance';
import { ensureRuntime, type RuntimeName } from '../n8n-runtime';
import { DEMO_TARGETS } from './story';
import { demoWorkflow, loadExample, sandboxCredential } from './workflows';

export const REPO_ROOT = path.resolve(__dirname, '../..');

export interface DemoSetup {
	sandbox: Sandbox;
	instance: N8nInstance;
	/** Stops the sandbox and removes the user folder. */
	close(): Promise<void>;
}

export async function setUpDemo(options: {
	runtime?: RuntimeName;
	sandboxPort?: number;
	log: (line: string) => void;
}): Promise<DemoSetup> {
	const { log } = options;
	const runtime = await ensureRuntime(options.runtime ?? 'n8n2', { log });
	log(`n8n ${runtime.n8nVersion} on Node ${runtime.nodeVersion}`);
	const tarball = await packPackage(REPO_ROOT, { log });
	const sandbox = await startSandbox({ port: options.sandboxPort ?? 0 });
	log(`Vault+ sandbox at ${sandbox.url} (API key test-key)`);
	let instance: N8nInstance | undefined;
	try {
		instance = await createUserFolder(runtime, tarball, { log });
		await instance.importCredentials([sandboxCredential(sandbox.url)]);
		await instance.importWorkflows([
			loadExample('nightly'),
			loadExample('syncOne'),
			loadExample('allLists'),
			demoWorkflow(DEMO_TARGETS),
		]);
	} catch (error) {
		await instance?.cleanup();
		await sandbox.close();
		throw error;
	}
	const ready = instance;
	return {
		sandbox,
		instance: ready,
		async close() {
			await ready.cleanup();
			await sandbox.close();
		},
	};
}
