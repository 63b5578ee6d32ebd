/**
 * What the queue cluster started: each entry's orderly stop (stopAll, newest first), and what the reaper does if this
 * process ends first (Ctrl-C, SIGKILL, a crash): run the entry's commands (pg_ctl stop), SIGKILL the tree of every process
 * working in one of its dirs, remove the dirs. A detached sidecar, as signal handlers cannot: jest hands a test a copy
 * of `process` (`process.on('SIGINT')` never fires) and pg_ctl starts PostgreSQL in its own session, out of Ctrl-C's reach.
 */
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** `commands`: argv lists, already wrapped in runuser where needed (commandArgv). */
type ReapSpec = { dirs: string[]; commands?: string[][] };

// Plain JavaScript, run with `node -e`: argv = [node, parentPid, stateFile, tree-kill's path]. String.raw: no escapes.
const REAPER_SOURCE = String.raw`
const fs = require('node:fs');
const cp = require('node:child_process');
const [parent, file, treeKillPath] = process.argv.slice(1);
const treeKill = require(treeKillPath);
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
const cwd = (pid) => { try { return fs.readlinkSync('/proc/' + pid + '/cwd') + '/'; } catch { return ''; } };
const timer = setInterval(async () => {
	if (alive(Number(parent))) return;
	clearInterval(timer);
	let entries = [];
	try { entries = JSON.parse(fs.readFileSync(file, 'utf8')); } catch {}
	for (const { commands = [], dirs } of entries.reverse()) {
		for (const [command, ...args] of commands) cp.spawnSync(command, args, { stdio: 'ignore', timeout: 30000 });
		const pids = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d) && Number(d) !== process.pid);
		for (const pid of pids) {
			if (dirs.some((dir) => cwd(pid).startsWith(dir + '/'))) await new Promise((done) => treeKill(Number(pid), 'SIGKILL', done));
		}
		for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
	}
	fs.rmSync(file, { force: true });
	process.exit(0);
}, 300);
`;

const entries: Array<ReapSpec & { stop: () => Promise<void> }> = [];
const stateFile = path.join(os.tmpdir(), `ofauth-queue-reaper-${process.pid}.json`);
let reaperStarted = false;

function save(): void {
	writeFileSync(stateFile, JSON.stringify(entries.map(({ dirs, commands }) => ({ dirs, commands }))));
	if (reaperStarted) return;
	reaperStarted = true;
	// Not through ../process.ts: the sidecar must outlive this process, detached and without pipes.
	const args = ['-e', REAPER_SOURCE, String(process.pid), stateFile, require.resolve('tree-kill')];
	spawn(process.execPath, args, { detached: true, stdio: 'ignore' }).unref();
}

/** Returns the orderly stop: `stop` then removing the dirs, once (later calls get the same promise); if it worked, the entry goes. */
export function registerCleanup(stop: () => Promise<unknown>, reap: ReapSpec): () => Promise<void> {
	let done: Promise<void> | undefined;
	const entry = {
		...reap,
		stop: () =>
			(done ??= stop().then(() => {
				for (const dir of reap.dirs) rmSync(dir, { recursive: true, force: true });
				entries.splice(entries.indexOf(entry), 1);
				save();
			})),
	};
	entries.push(entry);
	save();
	return entry.stop;
}

/** The orderly stop of every entry left, newest first; all are tried, then the first failure is thrown (the reaper keeps that entry). */
export async function stopAll(): Promise<void> {
	const errors: unknown[] = [];
	for (const entry of [...entries].reverse()) await entry.stop().catch((error: unknown) => errors.push(error));
	if (errors.length > 0) throw errors[0];
}
