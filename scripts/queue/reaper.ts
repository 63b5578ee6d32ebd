/**
 * A detached sidecar that outlives this process: every 300 ms it checks whether this process is
 * still alive, and once it is gone (finished, Ctrl-C, SIGTERM, SIGKILL, a crash) it undoes what
 * the state file still lists: kills process trees (each pid only while its command line still
 * matches, and every process working in a listed directory), runs stop commands (pg_ctl stop),
 * removes directories, then removes the file and exits.
 *
 * Needed because signal handlers cannot be relied on here: jest hands a test a copy of `process`,
 * so `process.on('SIGINT')` in a test never fires, and pg_ctl starts PostgreSQL in its own session,
 * out of reach of the terminal's Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';

export interface ReapSpec {
	/** Process trees to SIGKILL: the pid and all its descendants, if /proc/<pid>/cmdline contains `match`. */
	processes?: Array<{ pid: number; match: string }>;
	/** Every process whose working directory is one of these (or below), with its tree: an n8n command still starting. */
	cwds?: string[];
	/** Commands to run, in order (argv; already wrapped in runuser where needed). */
	commands?: string[][];
	dirs?: string[];
}

// Plain JavaScript, run with `node -e`: argv = [node, parentPid, stateFile]. String.raw: no escapes.
const REAPER_SOURCE = String.raw`
const fs = require('node:fs');
const cp = require('node:child_process');
const [parent, file] = process.argv.slice(1);
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
const read = (f) => { try { return fs.readFileSync(f, 'utf8'); } catch { return ''; } };
const pids = () => fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((pid) => pid !== process.pid);
const parentOf = (pid) => read('/proc/' + pid + '/stat').replace(/^.*\) /s, '').split(' ')[1];
const tree = (pid) => [pid, ...pids().filter((p) => parentOf(p) === String(pid)).flatMap(tree)];
const cwd = (pid) => { try { return fs.readlinkSync('/proc/' + pid + '/cwd'); } catch { return ''; } };
const kill = (pid) => { for (const p of tree(pid)) { try { process.kill(p, 'SIGKILL'); } catch {} } };
const timer = setInterval(() => {
	if (alive(Number(parent))) return;
	clearInterval(timer);
	let entries = [];
	try { entries = JSON.parse(read(file) || '[]'); } catch {}
	for (const entry of entries.reverse()) {
		for (const { pid, match } of entry.processes || []) {
			if (read('/proc/' + pid + '/cmdline').split('\0').join(' ').includes(match)) kill(pid);
		}
		const dirs = entry.cwds || [];
		for (const pid of pids()) if (dirs.some((d) => cwd(pid) === d || cwd(pid).startsWith(d + '/'))) kill(pid);
		for (const [command, ...args] of entry.commands || []) cp.spawnSync(command, args, { stdio: 'ignore', timeout: 30000 });
		for (const dir of entry.dirs || []) fs.rmSync(dir, { recursive: true, force: true });
	}
	fs.rmSync(file, { force: true });
	process.exit(0);
}, 300);
`;

/** Starts the reaper for this process; it reads `stateFile` (a JSON array of ReapSpec) when this process is gone. */
export function startReaper(stateFile: string): void {
	writeFileSync(stateFile, '[]');
	const child = spawn(process.execPath, ['-e', REAPER_SOURCE, String(process.pid), stateFile], {
		detached: true,
		stdio: 'ignore',
	});
	child.unref();
}
