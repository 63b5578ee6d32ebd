/** One install of a runtime at a time, across processes (parallel test workers, two terminals). */
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { formatDuration } from './format';
import { PROGRESS_EVERY_MS, type Say } from './progress';

const LOCK_STALE_CHECK_MS = 2_000;

/** Serialises installs of one runtime across processes: mkdir is atomic; a dead owner's lock is taken over. */
export async function acquireLock(lockDir: string, say: Say): Promise<() => Promise<void>> {
	const waitStarted = Date.now();
	let lastNotice = 0;
	for (;;) {
		try {
			await fsp.mkdir(lockDir);
			await fsp.writeFile(path.join(lockDir, 'owner.json'), JSON.stringify({ pid: process.pid, host: os.hostname() }));
			return async () => {
				await fsp.rm(lockDir, { recursive: true, force: true });
			};
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
		}
		let owner: { pid?: number; host?: string } = {};
		try {
			owner = JSON.parse(await fsp.readFile(path.join(lockDir, 'owner.json'), 'utf8'));
		} catch {
			// Just created by its owner, or left empty by a crash: judged by age below.
		}
		const stat = await fsp.stat(lockDir).catch(() => undefined);
		const ownerGone =
			owner.pid !== undefined ? owner.host === os.hostname() && !isAlive(owner.pid) : (stat ? Date.now() - stat.mtimeMs > 60_000 : true);
		if (ownerGone) {
			say(`taking over a stale install lock ${lockDir}`);
			await fsp.rm(lockDir, { recursive: true, force: true });
			continue;
		}
		if (Date.now() - lastNotice >= PROGRESS_EVERY_MS) {
			lastNotice = Date.now();
			say(`waiting for another install (pid ${owner.pid ?? '?'}) to finish: ${formatDuration(Date.now() - waitStarted)}`);
		}
		await new Promise((resolve) => setTimeout(resolve, LOCK_STALE_CHECK_MS));
	}
}

/** EPERM means the process exists but belongs to someone else: still alive. */
function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}
