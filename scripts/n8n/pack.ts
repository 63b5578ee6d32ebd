/** The package as a user gets it: the `npm pack` tarball (why not a symlink: ../n8n-instance.ts). */
import { existsSync, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { commandError, runProcess } from './process';

/**
 * `npm run build`, then `npm pack --pack-destination <fresh tmp dir>`; returns the tarball's path.
 * The tmp dir is the caller's to remove (path.dirname(tarball)).
 */
export async function packPackage(
	repoRoot: string,
	opts: { log?: (line: string) => void; skipBuild?: boolean } = {},
): Promise<string> {
	const log = opts.log ?? (() => undefined);
	const env = withoutNpmRunState(process.env);
	if (!opts.skipBuild) {
		log('npm run build');
		const build = await runProcess('npm', ['run', 'build'], { cwd: repoRoot, env, timeoutMs: 300_000 });
		if (build.exitCode !== 0) throw commandError('npm run build', build);
	}
	const destination = await fsp.mkdtemp(path.join(os.tmpdir(), 'ofauth-pack-'));
	log(`npm pack --pack-destination ${destination}`);
	const pack = await runProcess('npm', ['pack', '--json', '--pack-destination', destination], {
		cwd: repoRoot,
		env,
		timeoutMs: 120_000,
	});
	if (pack.exitCode !== 0) throw commandError('npm pack', pack);
	let filename: string | undefined;
	try {
		const parsed = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as Array<{ filename: string }>;
		filename = parsed[0]?.filename;
	} catch {
		filename = (await fsp.readdir(destination)).find((f) => f.endsWith('.tgz'));
	}
	if (!filename) throw commandError('npm pack (no tarball named in its output)', pack);
	const tarball = path.join(destination, path.basename(filename));
	if (!existsSync(tarball)) throw new Error(`npm pack reported ${filename}, but ${tarball} does not exist`);
	return tarball;
}

function withoutNpmRunState(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
	const clean: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(env)) if (!/^npm_/.test(key)) clean[key] = value;
	return clean;
}
