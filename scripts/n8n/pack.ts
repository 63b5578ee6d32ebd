/** The package as a user gets it: the `npm pack` tarball (why not a symlink: ../n8n-instance.ts). */
import { existsSync, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { cleanEnv, commandError, runChecked } from '../process';

/**
 * `npm run build`, then `npm pack --pack-destination <fresh tmp dir>`; returns the tarball's path.
 * The tmp dir is the caller's to remove (path.dirname(tarball)).
 */
export async function packPackage(repoRoot: string, opts: { log?: (line: string) => void; skipBuild?: boolean } = {}): Promise<string> {
	const log = opts.log ?? (() => undefined);
	const env = cleanEnv();
	if (!opts.skipBuild) {
		log('npm run build');
		await runChecked('npm', ['run', 'build'], { cwd: repoRoot, env, timeoutMs: 300_000 });
	}
	const destination = await fsp.mkdtemp(path.join(os.tmpdir(), 'ofauth-pack-'));
	log(`npm pack --pack-destination ${destination}`);
	const pack = await runChecked('npm', ['pack', '--json', '--pack-destination', destination], { cwd: repoRoot, env });
	const filename = (JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as Array<{ filename: string }>)[0]?.filename;
	if (!filename) throw commandError('npm pack (no tarball named in its output)', pack);
	const tarball = path.join(destination, path.basename(filename));
	if (!existsSync(tarball)) throw new Error(`npm pack reported ${filename}, but ${tarball} does not exist`);
	return tarball;
}
