/**
 * Installs one runtime from the npm registry with --ignore-scripts (kafka's and isolated-vm's native
 * builds need the internet or a newer Node), then rebuilds only sqlite3 from source: its prebuilt binary
 * is on GitHub, out of reach, so node-gyp compiles it against the headers in npm_config_nodedir.
 * The marker is written last: an install that is killed or fails leaves no marker and is redone.
 */
import { appendFileSync, existsSync, promises as fsp, statfsSync } from 'node:fs';
import path from 'node:path';

import { cleanEnv, readTail, runChecked, start } from '../process';
import { describeRuntime, nodePackageName, runtimeDir, writeMarker, type N8nRuntime, type RuntimeSpec } from './specs';

export function formatDuration(ms: number): string {
	const seconds = Math.round(ms / 1000);
	return seconds >= 60 ? `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
}

/** One npm command of an install: where it runs, where its output goes, how long it may take. */
type Step = { title: string; args: string[]; dir: string; env: NodeJS.ProcessEnv; logFile: string; timeoutMinutes: number };

/** Runs npm with its output appended to the log; npm can be silent for minutes, so a progress line every 15 s. */
async function runNpm(step: Step, say: (line: string) => void): Promise<void> {
	const started = Date.now();
	say(`${step.title} …`);
	appendFileSync(step.logFile, `\n== ${new Date().toISOString()} $ npm ${step.args.join(' ')}\n`);
	let lastLine = '';
	const child = start('npm', step.args, {
		cwd: step.dir,
		env: step.env,
		logFile: step.logFile,
		timeoutMs: step.timeoutMinutes * 60_000,
		// npm's fetches and node-gyp's compile steps say how far it got; compiler warnings do not.
		onLine: (line) => (lastLine = /^(npm |gyp |\s+[A-Z_]+\(target\))/.test(line) ? line.trim().slice(0, 110) : lastLine),
	});
	const ticker = setInterval(() => say(`  ${formatDuration(Date.now() - started)} elapsed${lastLine ? `, ${lastLine}` : ''}`), 15_000);
	const result = await child.done.finally(() => clearInterval(ticker));
	const took = formatDuration(Date.now() - started);
	appendFileSync(step.logFile, `\n== exit ${result.exitCode ?? result.signal} after ${took}\n`);
	if (result.exitCode === 0) return say(`  done in ${took}`);
	const timedOut = result.durationMs >= step.timeoutMinutes * 60_000;
	const why = timedOut ? `timed out after ${step.timeoutMinutes} min` : `exited with ${result.exitCode ?? result.signal}`;
	throw new Error(`${step.title} ${why} (after ${took}).\nFull log: ${step.logFile}\nLast 30 lines:\n${readTail(step.logFile, 30)}`);
}

export async function install(spec: RuntimeSpec, say: (line: string) => void): Promise<N8nRuntime> {
	const started = Date.now();
	const dir = runtimeDir(spec);
	if (existsSync(dir)) {
		say(`removing the incomplete install in ${dir}`);
		await fsp.rm(dir, { recursive: true, force: true });
	}
	await fsp.mkdir(dir, { recursive: true });
	// Fails early with a way out, rather than letting npm die halfway with ENOSPC (n8n2 takes about 3 GB, n8n1 2).
	const { bavail, bsize } = statfsSync(dir);
	const neededGb = spec.nodePackageVersion ? 4 : 3;
	if (bavail * bsize < neededGb * 1024 ** 3) {
		const free = `${(bavail * bsize / 1024 ** 3).toFixed(1)} GB`;
		throw new Error(`[${spec.name}] not enough free disk in ${dir} (${free}, needs about ${neededGb} GB): free some space or set OFAUTH_N8N_CACHE_DIR`);
	}
	const logFile = `${dir}.install.log`;
	await fsp.writeFile(logFile, '');
	say(`installing n8n@${spec.n8nVersion} into ${dir} (log: ${logFile})`);
	const pkg = { name: `ofauth-vault-plus-runtime-${spec.name}`, version: '0.0.0', private: true, overrides: spec.overrides };
	await fsp.writeFile(path.join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
	const npmArgs = ['--ignore-scripts', '--no-audit', '--no-fund', '--save-exact', '--loglevel=http'];
	const runtime = describeRuntime(spec, dir);
	const npm = (title: string, args: string[], env: NodeJS.ProcessEnv, timeoutMinutes = 30) =>
		runNpm({ title, args, dir, env, logFile, timeoutMinutes }, say);

	// node-gyp's headers: the system Node's <prefix>/include/node (Debian: /usr), or the npm Node's own.
	const systemPrefix = path.resolve(path.dirname(process.execPath), '..');
	let nodedir = existsSync(path.join(systemPrefix, 'include', 'node', 'node.h')) ? systemPrefix : undefined;
	if (spec.nodePackageVersion) {
		const nodePackage = `${nodePackageName()}@${spec.nodePackageVersion}`;
		await npm(`npm install ${nodePackage}`, ['install', nodePackage, ...npmArgs], cleanEnv());
		nodedir = path.dirname(path.dirname(runtime.nodeBin));
	}

	// With the runtime's Node first on PATH, npm (`#!/usr/bin/env node`), engine checks and node-gyp use it.
	const env = cleanEnv({ PATH: runtime.env.PATH, ...(nodedir ? { npm_config_nodedir: nodedir } : {}) });
	await npm(`npm install n8n@${spec.n8nVersion} --ignore-scripts`, ['install', `n8n@${spec.n8nVersion}`, ...npmArgs], env);
	const rebuildArgs = ['rebuild', 'sqlite3', '--ignore-scripts=false', '--foreground-scripts', '--loglevel=http'];
	await npm('npm rebuild sqlite3 (compiles from source)', rebuildArgs, env, 20);

	// Before the marker: n8n's sqlite3 loads on this Node.
	const n8nDir = path.join(dir, 'node_modules', 'n8n');
	const sqlite3 = `require(require.resolve('sqlite3', { paths: [${JSON.stringify(n8nDir)}] }))`;
	const sqliteCheck = `new (${sqlite3}).Database(':memory:').close();`;
	await runChecked(runtime.nodeBin, ['-e', sqliteCheck], { cwd: dir, env });
	// And it is what the marker will claim, where the marker will say: else every later run would reinstall.
	const installed = JSON.parse(await fsp.readFile(path.join(n8nDir, 'package.json'), 'utf8')) as { version: string };
	const nodeVersion = (await runChecked(runtime.nodeBin, ['--version'])).stdout.trim();
	if (installed.version !== spec.n8nVersion || nodeVersion !== `v${runtime.nodeVersion}` || !existsSync(runtime.n8nMain)) {
		throw new Error(`[${spec.name}] installed n8n ${installed.version} on Node ${nodeVersion}, expected n8n ${spec.n8nVersion} on Node v${runtime.nodeVersion}, with ${runtime.n8nMain}`);
	}
	await writeMarker(runtime);
	say(`installed in ${formatDuration(Date.now() - started)} (n8n ${spec.n8nVersion}, Node ${runtime.nodeVersion})`);
	return runtime;
}
