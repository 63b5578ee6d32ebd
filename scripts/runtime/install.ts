/**
 * Installing one runtime into its directory, from the npm registry.
 *
 * Both runtimes are installed with --ignore-scripts (kafka and isolated-vm native builds need the
 * internet or a newer Node), then only sqlite3 is rebuilt from source with node-gyp (its prebuilt
 * binary is on GitHub, which is out of reach; the rebuild falls back to compiling, which needs python3,
 * make and a C++ compiler, and node headers: npm_config_nodedir).
 *
 * The marker is written last, so an install that is killed or fails leaves a directory without one,
 * which the next run removes as incomplete.
 */
import { appendFileSync, existsSync, promises as fsp, readdirSync, statfsSync } from 'node:fs';
import path from 'node:path';

import { cleanEnv, lastLines, readTail, runChecked, start } from '../process';
import {
	cacheRoot,
	formatBytes,
	formatDuration,
	nodeBinFor,
	nodePackageName,
	runtimeEnv,
	wantedNodeVersion,
	writeMarker,
	type RuntimeSpec,
} from './specs';

const NPM_COMMON_ARGS = ['--no-audit', '--no-fund', '--save-exact', '--loglevel=http'];
const PROGRESS_EVERY_MS = 15_000;

/** Prints one progress line, already prefixed with the runtime's name. */
type Say = (line: string) => void;

/** Never throws (0 instead): it only feeds progress lines, which must not fail a step. */
function freeBytes(dir: string): number {
	try {
		const stats = statfsSync(dir);
		return Number(stats.bavail) * Number(stats.bsize);
	} catch {
		return 0;
	}
}

/** Cheap progress measure: top-level (and scoped) package directories in node_modules. */
function countPackages(nodeModules: string): number {
	try {
		return readdirSync(nodeModules)
			.filter((entry) => !entry.startsWith('.'))
			.reduce((count, entry) => count + (entry.startsWith('@') ? readdirSync(path.join(nodeModules, entry)).length : 1), 0);
	} catch {
		return 0;
	}
}

/** Compiler diagnostics (source excerpts, carets, warnings) say nothing about progress. */
function informative(raw: string): string | undefined {
	// eslint-disable-next-line no-control-regex
	const line = raw.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').trim();
	const noise = /^(\d+\s*)?\||^[\s^~|]+$|: (warning|note): |^In file included from|^from |: In (static |member )?function /;
	return line && !noise.test(line) ? line : undefined;
}

/**
 * Runs one npm command with its output appended to the install log; npm is silent for minutes or
 * floods, so every ~15 s one line from cheap measurements says how far it got.
 */
async function runStep(step: { title: string; args: string[]; cwd: string; env: NodeJS.ProcessEnv; logFile: string; say: Say; timeoutMs: number }): Promise<void> {
	const started = Date.now();
	const diskAtStart = freeBytes(step.cwd);
	step.say(`${step.title} …`);
	appendFileSync(step.logFile, `\n== ${new Date().toISOString()} $ npm ${step.args.join(' ')}  (cwd ${step.cwd})\n`);
	let lastLine = '';
	const child = start('npm', step.args, {
		cwd: step.cwd,
		env: step.env,
		logFile: step.logFile,
		timeoutMs: step.timeoutMs,
		onLine: (line) => (lastLine = informative(line) ?? lastLine),
	});
	const ticker = setInterval(() => {
		const packages = countPackages(path.join(step.cwd, 'node_modules'));
		const written = diskAtStart - freeBytes(step.cwd);
		const parts = [
			`${formatDuration(Date.now() - started)} elapsed`,
			packages > 0 ? `${packages} packages in node_modules` : undefined,
			written > 0 ? `disk use +${formatBytes(written)}` : undefined,
			lastLine ? `npm: ${lastLine.length > 110 ? `${lastLine.slice(0, 109)}…` : lastLine}` : undefined,
		];
		step.say(`  ${parts.filter(Boolean).join(', ')}`);
	}, PROGRESS_EVERY_MS);
	const result = await child.done.finally(() => clearInterval(ticker));
	const took = formatDuration(Date.now() - started);
	appendFileSync(step.logFile, `\n== exit ${result.exitCode ?? result.signal} after ${took}\n`);
	if (result.exitCode === 0) return step.say(`  done in ${took}`);
	const why = result.durationMs >= step.timeoutMs ? `timed out after ${formatDuration(step.timeoutMs)}` : `exited with ${result.exitCode ?? result.signal}`;
	throw new Error(`${step.title} ${why} (after ${took}).\nFull log: ${step.logFile}\nLast 30 lines:\n${readTail(step.logFile, 30)}`);
}

/**
 * One file at a time: a hundred thousand lstat calls at once would fill libuv's thread pool, and
 * proper-lockfile, whose lock stays fresh through the same pool, would see its lock go stale.
 */
async function dirSize(dir: string): Promise<number> {
	let total = 0;
	for (const entry of await fsp.readdir(dir, { recursive: true, withFileTypes: true })) {
		if (entry.isFile()) total += await fsp.lstat(path.join(entry.parentPath, entry.name)).then((stats) => stats.size, () => 0);
	}
	return total;
}

/** Fails early with a way out, rather than letting npm die halfway with ENOSPC. */
function checkFreeDisk(spec: RuntimeSpec, dir: string): void {
	let probe = dir;
	while (!existsSync(probe) && path.dirname(probe) !== probe) probe = path.dirname(probe);
	const available = freeBytes(probe);
	if (available < spec.requiredBytes) {
		throw new Error(
			`[${spec.name}] not enough free disk to install n8n@${spec.n8nVersion} into ${dir}: ` +
				`need about ${formatBytes(spec.requiredBytes)}, ${formatBytes(available)} available on the filesystem of ${probe}. ` +
				`Free some space or point OFAUTH_N8N_CACHE_DIR at a larger disk.`,
		);
	}
}

export async function install(spec: RuntimeSpec, dir: string, say: Say, forced: boolean): Promise<void> {
	const started = Date.now();
	if (existsSync(dir)) {
		say(`removing the ${forced ? 'existing (--force)' : 'incomplete'} install in ${dir}`);
		await fsp.rm(dir, { recursive: true, force: true });
	}
	checkFreeDisk(spec, dir);
	await fsp.mkdir(dir, { recursive: true });
	const logFile = path.join(cacheRoot(), `${path.basename(dir)}.install.log`);
	await fsp.writeFile(logFile, '');
	say(`installing n8n@${spec.n8nVersion} into ${dir} (log: ${logFile})`);
	const step = (title: string, args: string[], env: NodeJS.ProcessEnv, timeoutMinutes: number) =>
		runStep({ title, args, cwd: dir, env, logFile, say, timeoutMs: timeoutMinutes * 60_000 });

	const pkg = { name: `ofauth-vault-plus-runtime-${spec.name}`, version: '0.0.0', private: true, overrides: spec.overrides };
	await fsp.writeFile(path.join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
	// An .npmrc of the runtime's own, so a user-level ignore-scripts or similar cannot change rebuild behaviour.
	await fsp.writeFile(path.join(dir, '.npmrc'), 'fund=false\naudit=false\nupdate-notifier=false\n');

	let nodeBin = process.execPath;
	// Headers for node-gyp on the system Node: <prefix>/include/node (Debian: /usr).
	const systemPrefix = path.resolve(path.dirname(process.execPath), '..');
	let nodedir = existsSync(path.join(systemPrefix, 'include', 'node', 'node.h')) ? systemPrefix : undefined;
	if (spec.node.kind === 'npm') {
		const nodePkg = `${nodePackageName()}@${spec.node.version}`;
		await step(`npm install ${nodePkg}`, ['install', nodePkg, '--ignore-scripts', ...NPM_COMMON_ARGS], cleanEnv(), 30);
		nodeBin = nodeBinFor(spec, dir);
		const version = (await runChecked(nodeBin, ['--version'])).stdout.trim();
		if (version !== `v${spec.node.version}`) throw new Error(`[${spec.name}] ${nodeBin} --version printed "${version}", expected v${spec.node.version}`);
		nodedir = path.dirname(path.dirname(nodeBin));
	}

	// npm itself then runs on the runtime's Node (npm's shebang is `env node`), so engine checks
	// and node-gyp see the Node that will run n8n.
	const env = cleanEnv({ PATH: runtimeEnv(spec, nodeBin).PATH, ...(nodedir ? { npm_config_nodedir: nodedir } : {}) });
	await step(`npm install n8n@${spec.n8nVersion} --ignore-scripts`, ['install', `n8n@${spec.n8nVersion}`, '--ignore-scripts', ...NPM_COMMON_ARGS], env, 30);
	const rebuildArgs = ['rebuild', 'sqlite3', '--ignore-scripts=false', '--foreground-scripts', '--loglevel=http'];
	await step('npm rebuild sqlite3 (compiles from source)', rebuildArgs, env, 20);

	// Before the marker: the pinned n8n is there, and sqlite3's native module loads on this Node.
	const n8nPkgDir = path.join(dir, 'node_modules', 'n8n');
	const n8nPkg = JSON.parse(await fsp.readFile(path.join(n8nPkgDir, 'package.json'), 'utf8')) as { version: string; bin?: string | Record<string, string> };
	if (n8nPkg.version !== spec.n8nVersion) throw new Error(`[${spec.name}] node_modules/n8n is ${n8nPkg.version}, expected ${spec.n8nVersion}`);
	const binRel = typeof n8nPkg.bin === 'string' ? n8nPkg.bin : n8nPkg.bin?.n8n;
	if (!binRel) throw new Error(`[${spec.name}] node_modules/n8n/package.json has no "n8n" bin`);
	const n8nMain = path.join(n8nPkgDir, binRel);
	const sqliteCheck = `const p=require.resolve('sqlite3',{paths:[${JSON.stringify(n8nPkgDir)}]});const s=require(p);new s.Database(':memory:').close();console.log(p)`;
	const sqlite = await runChecked(nodeBin, ['-e', sqliteCheck], { cwd: dir, env });
	appendFileSync(logFile, `\n== sqlite3 loads: ${lastLines(sqlite.stdout, 1)}\n`);

	const sizeBytes = await dirSize(dir);
	await writeMarker(dir, {
		runtime: spec.name,
		n8nVersion: n8nPkg.version,
		nodeVersion: wantedNodeVersion(spec),
		nodePackage: spec.node.kind === 'npm' ? `${nodePackageName()}@${spec.node.version}` : null,
		nodeBin,
		n8nMain,
		n8nMainRelative: path.relative(dir, n8nMain),
		installedAt: new Date().toISOString(),
		installSeconds: Math.round((Date.now() - started) / 1000),
		sizeBytes,
	});
	say(`installed in ${formatDuration(Date.now() - started)}, ${formatBytes(sizeBytes)} (n8n ${n8nPkg.version}, Node ${wantedNodeVersion(spec)})`);
}
