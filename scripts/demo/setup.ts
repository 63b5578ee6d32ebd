/**
 * What `npm run demo`, `npm run dev` and the tests in real n8n share: a pinned n8n, the package packed
 * as users get it, the local Vault+ sandbox, and a fresh n8n user folder (for the demo, with the
 * sandbox credential and the workflows imported).
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';

import type { Sandbox } from '../../sandbox/server';
import { startSandbox } from '../../sandbox/server';
import { createUserFolder, packPackage, type N8nInstance } from '../n8n-instance';
import { ensureRuntime, type RuntimeName } from '../n8n-runtime';
import { startMailbox, type Mailbox } from '../nightly/mailbox';
import { smtpCredential } from '../nightly/workflows';
import type { SandboxSeed } from '../../sandbox/seed';
import { DEMO_TARGETS } from './story';
import { demoWorkflow, loadExample, sandboxCredential } from './workflows';

export const REPO_ROOT = path.resolve(__dirname, '../..');

export interface DemoSetup {
	sandbox: Sandbox;
	instance: N8nInstance;
	/** The SMTP server the examples' Send Email nodes reach through the SMTP credential. */
	mailbox: Mailbox;
	/** Stops n8n if it runs and the sandbox, and removes the user folder and the tarball. */
	close(): Promise<void>;
}

export interface PackagedN8nOptions {
	runtime?: RuntimeName;
	sandboxPort?: number;
	/** The sandbox's accounts and lists; default its own seed. */
	sandboxSeed?: SandboxSeed;
	/** The caller built the package already (`npm run test:e2e` builds before jest). */
	skipBuild?: boolean;
	log?: (line: string) => void;
}

/** The packed package in a fresh user folder of a pinned n8n, and the sandbox; nothing imported yet. */
export async function setUpPackagedN8n(options: PackagedN8nOptions = {}): Promise<DemoSetup> {
	const log = options.log ?? (() => undefined);
	const runtime = await ensureRuntime(options.runtime ?? 'n8n2', { log });
	log(`n8n ${runtime.n8nVersion} on Node ${runtime.nodeVersion}`);
	const tarball = await packPackage(REPO_ROOT, { log, skipBuild: options.skipBuild });
	const removeTarball = () => fsp.rm(path.dirname(tarball), { recursive: true, force: true });
	const sandbox = await startSandbox({ port: options.sandboxPort ?? 0, seed: options.sandboxSeed });
	log(`Vault+ sandbox at ${sandbox.url} (API key test-key)`);
	const mailbox = await startMailbox();
	log(`SMTP server at ${mailbox.host}:${mailbox.port}`);
	let instance: N8nInstance;
	try {
		instance = await createUserFolder(runtime, tarball, { log });
	} catch (error) {
		await sandbox.close();
		await mailbox.close();
		await removeTarball();
		throw error;
	}
	const ready = instance;
	return {
		sandbox,
		instance: ready,
		mailbox,
		async close() {
			await ready.cleanup();
			await sandbox.close();
			await mailbox.close();
			await removeTarball();
		},
	};
}

export async function setUpDemo(options: {
	runtime?: RuntimeName;
	sandboxPort?: number;
	log: (line: string) => void;
}): Promise<DemoSetup> {
	const demo = await setUpPackagedN8n(options);
	try {
		await demo.instance.importCredentials([sandboxCredential(demo.sandbox.url), smtpCredential(demo.mailbox)]);
		await demo.instance.importWorkflows([
			loadExample('nightly'),
			loadExample('syncOne'),
			loadExample('allLists'),
			loadExample('errorWorkflow'),
			demoWorkflow(DEMO_TARGETS),
		]);
	} catch (error) {
		await demo.close();
		throw error;
	}
	return demo;
}
