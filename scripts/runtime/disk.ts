/** Free space before an install, disk use during it, and the size of the finished tree. */
import { existsSync, promises as fsp, statfsSync, type Dirent } from 'node:fs';
import path from 'node:path';

import { formatBytes } from './format';
import type { RuntimeSpec } from './specs';

/** Fails early with a way out, rather than letting npm die halfway with ENOSPC. */
export function checkFreeDisk(spec: RuntimeSpec, dir: string): void {
	let probe = dir;
	while (!existsSync(probe) && path.dirname(probe) !== probe) probe = path.dirname(probe);
	const stats = statfsSync(probe);
	const available = Number(stats.bavail) * Number(stats.bsize);
	if (available < spec.requiredBytes) {
		throw new Error(
			`[${spec.name}] not enough free disk to install n8n@${spec.n8nVersion} into ${dir}: ` +
				`need about ${formatBytes(spec.requiredBytes)}, ${formatBytes(available)} available on the filesystem of ${probe}. ` +
				`Free some space or point OFAUTH_N8N_CACHE_DIR at a larger disk.`,
		);
	}
}

/** Never throws (0 instead): it only feeds progress lines, which must not fail a step. */
export function freeBytes(dir: string): number {
	try {
		const s = statfsSync(dir);
		return Number(s.bavail) * Number(s.bsize);
	} catch {
		return 0;
	}
}

export async function dirSize(dir: string): Promise<number> {
	let total = 0;
	const stack = [dir];
	while (stack.length > 0) {
		const current = stack.pop() as string;
		let entries: Dirent[];
		try {
			entries = await fsp.readdir(current, { withFileTypes: true });
		} catch {
			continue;
		}
		for (const entry of entries) {
			const full = path.join(current, entry.name);
			if (entry.isDirectory()) stack.push(full);
			else if (entry.isFile()) {
				try {
					total += (await fsp.lstat(full)).size;
				} catch {
					// ignore
				}
			}
		}
	}
	return total;
}
