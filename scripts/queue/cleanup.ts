/**
 * What the queue-mode run started and must stop. Each entry has an orderly stop, awaited on the
 * normal path (try/finally, afterAll), and a ReapSpec that the reaper carries out if this process
 * ends before that: on Ctrl-C, SIGTERM, SIGKILL or a crash. The reaper's state file always lists
 * the entries not yet stopped.
 *
 * The reaper is a detached sidecar that outlives this process: every 300 ms it checks whether this
 * process is still alive, and once it is gone it kills the listed process trees (tree-kill; each pid
 * only while its command line still matches, and every process working in a listed directory), runs
 * the stop commands (pg_ctl stop), removes the directories, then its state file, and exits. Signal
 * handlers cannot do this: jest hands a test a copy of `process`, so `process.on('SIGINT')` in a test
 * never fires, and pg_ctl starts PostgreSQL in its own session, out of reach of the terminal's Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface ReapSpec {
	/** Process trees to SIGKILL: the pid and all its descendants, if /proc/<pid>/cmdline contains `match`. */
	processes?: Array<{ pid: number; match: string }>;
	/** Every process whose working directory is one of these (or below), with its tree: an n8n command still starting. */
	cwds?: string[];
	/** Commands to run, in order (argv; already wrapped in runuser where needed). */
	commands?: string[][];
	dirs?: string[];
}

export interface CleanupHandle {
	/** Runs the orderly stop once (later calls wait for the first) and, if it worked, drops the entry. */
	stop(): Promise<void>;
}

// Plain JavaScript, run with `node -e`: argv = [node, parentPid, stateFile, tree-kill's path]. String.raw: no escapes.
const REAPER_SOURCE = String.raw`
const fs = require('node:fs');
const cp = require('node:child_process');
const [parent, file, treeKillPath] = process.argv.slice(1);
const treeKill = require(treeKillPath);
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
const read = (f) => { try { return fs.readFileSync(f, 'utf8'); } catch { return ''; } };
const cwd = (pid) => { try { return fs.readlinkSync('/proc/' + pid + '/cwd'); } catch { return ''; } };
const kill = (pid) => new Promise((resolve) => treeKill(pid, 'SIGKILL', resolve));
const timer = setInterval(async () => {
	if (alive(Number(parent))) return;
	clearInterval(timer);
	let entries = [];
	try { entries = JSON.parse(read(file) || '[]'); } catch {}
	for (const entry of entries.reverse()) {
		for (const { pid, match } of entry.processes || []) {
			if (read('/proc/' + pid + '/cmdline').split('\0').join(' ').includes(match)) await kill(pid);
		}
		const dirs = entry.cwds || [];
		const pids = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((pid) => pid !== process.pid);
		for (const pid of pids) if (dirs.some((d) => cwd(pid) === d || cwd(pid).startsWith(d + '/'))) await kill(pid);
		for (const [command, ...args] of entry.commands || []) cp.spawnSync(command, args, { stdio: 'ignore', timeout: 30000 });
		for (const dir of entry.dirs || []) fs.rmSync(dir, { recursive: true, force: true });
	}
	fs.rmSync(file, { force: true });
	process.exit(0);
}, 300);
`;

const entries: Array<{ name: string; reap: ReapSpec }> = [];
let stateFile: string | undefined;

function save(): void {
	if (!stateFile) {
		stateFile = path.join(os.tmpdir(), `ofauth-queue-reaper-${process.pid}.json`);
		writeFileSync(stateFile, '[]');
		// Not through ../process.ts: the sidecar must outlive this process, detached and without pipes.
		const args = ['-e', REAPER_SOURCE, String(process.pid), stateFile, require.resolve('tree-kill')];
		spawn(process.execPath, args, { detached: true, stdio: 'ignore' }).unref();
	}
	writeFileSync(stateFile, JSON.stringify(entries.map((entry) => ({ name: entry.name, ...entry.reap }))));
}

export function registerCleanup(name: string, stop: () => Promise<void>, reap: ReapSpec = {}): CleanupHandle {
	const entry = { name, reap };
	entries.push(entry);
	save();
	let done: Promise<void> | undefined;
	return {
		stop() {
			done ??= (async () => {
				await stop();
				// Only a stop that worked drops the entry; otherwise the reaper still has it.
				if (entries.includes(entry)) entries.splice(entries.indexOf(entry), 1);
				save();
			})();
			return done;
		},
	};
}
