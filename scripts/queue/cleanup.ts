/**
 * What the queue-mode run started and must stop. Each entry has an orderly stop, awaited on the
 * normal path (try/finally, afterAll), and a ReapSpec that the reaper (./reaper.ts) carries out if
 * this process ends before that: on Ctrl-C, SIGTERM, SIGKILL or a crash. The reaper's state file
 * always lists the entries not yet stopped.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { startReaper, type ReapSpec } from './reaper';

export type { ReapSpec } from './reaper';

export interface CleanupHandle {
	/** Runs the orderly stop once (later calls wait for the first) and, if it worked, drops the entry. */
	stop(): Promise<void>;
}

interface Entry {
	name: string;
	reap: ReapSpec;
}

const entries: Entry[] = [];
let stateFile: string | undefined;

function save(): void {
	if (!stateFile) {
		stateFile = path.join(os.tmpdir(), `ofauth-queue-reaper-${process.pid}.json`);
		startReaper(stateFile);
	}
	writeFileSync(stateFile, JSON.stringify(entries.map((entry) => ({ name: entry.name, ...entry.reap }))));
}

export function registerCleanup(name: string, stop: () => Promise<void>, reap: ReapSpec = {}): CleanupHandle {
	const entry: Entry = { name, reap };
	entries.push(entry);
	save();
	let done: Promise<void> | undefined;
	return {
		stop() {
			done ??= (async () => {
				await stop();
				// Only a stop that worked drops the entry; otherwise the reaper still has it.
				const at = entries.indexOf(entry);
				if (at >= 0) entries.splice(at, 1);
				save();
			})();
			return done;
		},
	};
}
