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
import { createWriteStream, existsSync, promises as fsp } from 'node:fs';
import path from 'node:path';

import { checkFreeDisk, dirSize } from './disk';
import { formatBytes, formatDuration } from './format';
import { writeMarker } from './marker';
import type { Say } from './progress';
import { cacheRoot, nodeBinFor, nodePackageName, runtimeEnv, wantedNodeVersion, type RuntimeSpec } from './specs';
import { capture, childEnv, runStep, type StepOptions } from './steps';

const INSTALL_TIMEOUT_MS = 30 * 60_000;
const REBUILD_TIMEOUT_MS = 20 * 60_000;

const NPM_COMMON_ARGS = ['--no-audit', '--no-fund', '--save-exact', '--loglevel=http'];

/** Where every step of one install reports: its log file and the progress lines. */
type InstallLog = Pick<StepOptions, 'logStream' | 'logFile' | 'say'>;

export async function install(spec: RuntimeSpec, dir: string, say: Say, forced: boolean): Promise<void> {
	const started = Date.now();
	if (existsSync(dir)) {
		say(`removing the ${forced ? 'existing (--force)' : 'incomplete'} install in ${dir}`);
		await fsp.rm(dir, { recursive: true, force: true });
	}
	checkFreeDisk(spec, dir);
	await fsp.mkdir(dir, { recursive: true });

	const logFile = path.join(cacheRoot(), `${path.basename(dir)}.install.log`);
	const logStream = createWriteStream(logFile, { flags: 'w' });
	say(`installing n8n@${spec.n8nVersion} into ${dir} (log: ${logFile})`);
	const log: InstallLog = { logStream, logFile, say };

	try {
		await writeInstallDirConfig(spec, dir);

		let nodeBin = process.execPath;
		let nodedir: string | undefined = systemNodeDir();
		if (spec.node.kind === 'npm') {
			nodeBin = await installPinnedNode(spec, spec.node.version, dir, log);
			nodedir = path.dirname(path.dirname(nodeBin));
		}

		// npm itself then runs on the runtime's Node (npm's shebang is `env node`), so engine checks
		// and node-gyp see the Node that will run n8n.
		const env = childEnv({
			PATH: runtimeEnv(spec, nodeBin).PATH,
			...(nodedir ? { npm_config_nodedir: nodedir } : {}),
		});

		await runStep({
			...log,
			title: `npm install n8n@${spec.n8nVersion} --ignore-scripts`,
			args: ['install', `n8n@${spec.n8nVersion}`, '--ignore-scripts', ...NPM_COMMON_ARGS],
			cwd: dir,
			env,
			timeoutMs: INSTALL_TIMEOUT_MS,
		});

		await runStep({
			...log,
			title: 'npm rebuild sqlite3 (compiles from source)',
			args: ['rebuild', 'sqlite3', '--ignore-scripts=false', '--foreground-scripts', '--loglevel=http'],
			cwd: dir,
			env,
			timeoutMs: REBUILD_TIMEOUT_MS,
		});

		const { n8nVersion, n8nMain } = await checkInstalledN8n(spec, dir, nodeBin, env, log);

		const sizeBytes = await dirSize(dir);
		const marker = await writeMarker(dir, {
			runtime: spec.name,
			n8nVersion,
			nodeVersion: wantedNodeVersion(spec),
			nodePackage: spec.node.kind === 'npm' ? `${nodePackageName()}@${spec.node.version}` : null,
			nodeBin,
			n8nMain,
			n8nMainRelative: path.relative(dir, n8nMain),
			installedAt: new Date().toISOString(),
			installSeconds: Math.round((Date.now() - started) / 1000),
			sizeBytes,
		});
		say(`installed in ${formatDuration(Date.now() - started)}, ${formatBytes(sizeBytes)} (n8n ${marker.n8nVersion}, Node ${marker.nodeVersion})`);
	} finally {
		await new Promise<void>((resolve) => logStream.end(resolve));
	}
}

async function writeInstallDirConfig(spec: RuntimeSpec, dir: string): Promise<void> {
	const pkg: Record<string, unknown> = {
		name: `ofauth-vault-plus-runtime-${spec.name}`,
		version: '0.0.0',
		private: true,
		description: 'Throwaway n8n runtime for n8n-nodes-ofauth-vault-plus end-to-end runs; safe to delete.',
		...(spec.overrides ? { overrides: spec.overrides } : {}),
	};
	await fsp.writeFile(path.join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
	// An .npmrc of the runtime's own, so a user-level ignore-scripts or similar cannot change rebuild behaviour.
	await fsp.writeFile(path.join(dir, '.npmrc'), 'fund=false\naudit=false\nupdate-notifier=false\n');
}

/** Installs node-<platform>-<arch>@version into the runtime and returns its node binary, checked by running it. */
async function installPinnedNode(spec: RuntimeSpec, nodeVersion: string, dir: string, log: InstallLog): Promise<string> {
	const nodePkg = `${nodePackageName()}@${nodeVersion}`;
	await runStep({
		...log,
		title: `npm install ${nodePkg}`,
		args: ['install', nodePkg, '--ignore-scripts', ...NPM_COMMON_ARGS],
		cwd: dir,
		env: childEnv({}),
		timeoutMs: INSTALL_TIMEOUT_MS,
	});
	const nodeBin = nodeBinFor(spec, dir);
	const version = await capture(nodeBin, ['--version']);
	if (version.trim() !== `v${nodeVersion}`) {
		throw new Error(`[${spec.name}] ${nodeBin} --version printed "${version.trim()}", expected v${nodeVersion}`);
	}
	return nodeBin;
}

/** Checks before the marker: the pinned n8n is there, and sqlite3's native module loads on this Node. */
async function checkInstalledN8n(
	spec: RuntimeSpec,
	dir: string,
	nodeBin: string,
	env: NodeJS.ProcessEnv,
	log: InstallLog,
): Promise<{ n8nVersion: string; n8nMain: string }> {
	const n8nPkgDir = path.join(dir, 'node_modules', 'n8n');
	const n8nPkg = JSON.parse(await fsp.readFile(path.join(n8nPkgDir, 'package.json'), 'utf8')) as {
		version: string;
		bin?: string | Record<string, string>;
	};
	if (n8nPkg.version !== spec.n8nVersion) {
		throw new Error(`[${spec.name}] node_modules/n8n is ${n8nPkg.version}, expected ${spec.n8nVersion}`);
	}
	const binRel = typeof n8nPkg.bin === 'string' ? n8nPkg.bin : n8nPkg.bin?.n8n;
	if (!binRel) throw new Error(`[${spec.name}] node_modules/n8n/package.json has no "n8n" bin`);
	const n8nMain = path.join(n8nPkgDir, binRel);
	const sqliteCheck = `const p=require.resolve('sqlite3',{paths:[${JSON.stringify(n8nPkgDir)}]});const s=require(p);new s.Database(':memory:').close();console.log(p)`;
	const sqlitePath = await capture(nodeBin, ['-e', sqliteCheck], { cwd: dir, env });
	log.logStream.write(`\n== sqlite3 loads: ${sqlitePath.trim()}\n`);
	return { n8nVersion: n8nPkg.version, n8nMain };
}

/** Headers for node-gyp when running on the system Node: <prefix>/include/node (Debian: /usr). */
function systemNodeDir(): string | undefined {
	const prefix = path.resolve(path.dirname(process.execPath), '..');
	return existsSync(path.join(prefix, 'include', 'node', 'node.h')) ? prefix : undefined;
}
