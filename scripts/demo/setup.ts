/**
 * What `npm run demo`, `npm run dev` and the tests in real n8n share: a pinned n8n with the package packed
 * as users get it, the local Vault+ sandbox, and a local SMTP server for the examples' Send Email nodes.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';

import { startSandbox } from '../../sandbox/server';
import type { SandboxSeed } from '../../sandbox/seed';
import { createUserFolder, packPackage, type N8nInstance } from '../n8n-instance';
import { ensureRuntime, type RuntimeName } from '../n8n-runtime';
import { startMailbox } from '../nightly/mailbox';
import { SANDBOX_API_KEY, sandboxCredential, smtpCredential, type WorkflowJson } from './workflows';

export const REPO_ROOT = path.resolve(__dirname, '../..');
/** The owner account of the demo's and dev's n8n. */
export const OWNER = { email: 'owner@vault-plus.test', password: 'VaultPlus1demo', firstName: 'Vault', lastName: 'Owner' };

/** The sandbox, n8n's user folder and the SMTP server; close() stops them all and removes the folder and the tarball. */
export type DemoSetup = Awaited<ReturnType<typeof setUpPackagedN8n>>;

export interface PackagedN8nOptions {
	runtime?: RuntimeName;
	/** The sandbox's port if it is free (else any free one). */
	sandboxPort?: number;
	/** The sandbox's accounts and lists; default its own seed. */
	sandboxSeed?: SandboxSeed;
	/** The caller built the package already (`npm run test:e2e` builds before jest). */
	skipBuild?: boolean;
	/** Imported, with the sandbox's and the SMTP server's credentials, into the user folder. */
	workflows?: WorkflowJson[];
	log?: (line: string) => void;
}

/** The packed package in a fresh user folder of a pinned n8n, the sandbox and the SMTP server. */
export async function setUpPackagedN8n(options: PackagedN8nOptions = {}) {
	const log = options.log ?? (() => undefined);
	const runtime = await ensureRuntime(options.runtime ?? 'n8n2', { log });
	log(`n8n ${runtime.n8nVersion} on Node ${runtime.nodeVersion}`);
	const tarball = await packPackage(REPO_ROOT, { log, skipBuild: options.skipBuild });
	const seed = options.sandboxSeed;
	const sandbox = await startSandbox({ port: options.sandboxPort ?? 0, seed }).catch((error: Error) => {
		if (!error.message.includes('EADDRINUSE')) throw error;
		log(`port ${options.sandboxPort} is taken; the sandbox takes a free one`);
		return startSandbox({ port: 0, seed });
	});
	log(`Vault+ sandbox at ${sandbox.url} (API key ${SANDBOX_API_KEY})`);
	const mailbox = await startMailbox();
	log(`SMTP server at ${mailbox.host}:${mailbox.port}`);
	let instance: N8nInstance | undefined;
	const close = async () => {
		await instance?.cleanup();
		await sandbox.close();
		await mailbox.close();
		await fsp.rm(path.dirname(tarball), { recursive: true, force: true });
	};
	try {
		instance = await createUserFolder(runtime, tarball, { log });
		if (options.workflows) {
			await instance.importCredentials([sandboxCredential(sandbox.url), smtpCredential(mailbox)]);
			await instance.importWorkflows(options.workflows);
		}
	} catch (error) {
		await close();
		throw error;
	}
	return { sandbox, instance, mailbox, close };
}
