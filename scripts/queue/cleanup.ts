/**
 * What the queue-mode run started and must stop: each entry has an orderly stop (awaited on the
 * normal path) and a synchronous one for SIGINT, SIGTERM, SIGHUP and an abrupt process exit, when
 * nothing can be awaited any more. Entries are undone newest first.
 */

export interface CleanupEntry {
	name: string;
	stop(): Promise<void>;
	stopSync(): void;
}

const entries: CleanupEntry[] = [];
let handlersInstalled = false;
const SIGNALS: Array<[NodeJS.Signals, number]> = [
	['SIGINT', 2],
	['SIGTERM', 15],
	['SIGHUP', 1],
];

/** Registers an entry; the returned function runs its orderly stop once and unregisters it. */
export function registerCleanup(entry: CleanupEntry): () => Promise<void> {
	installHandlers();
	entries.push(entry);
	let done: Promise<void> | undefined;
	return () => {
		done ??= (async () => {
			try {
				await entry.stop();
			} finally {
				const at = entries.indexOf(entry);
				if (at >= 0) entries.splice(at, 1);
			}
		})();
		return done;
	};
}

/** Runs every entry's synchronous stop, newest first; never throws. */
export function cleanupAllSync(): void {
	while (entries.length > 0) {
		const entry = entries.pop() as CleanupEntry;
		try {
			entry.stopSync();
		} catch (error) {
			process.stderr.write(`cleanup of ${entry.name} failed: ${(error as Error).message}\n`);
		}
	}
}

function installHandlers(): void {
	if (handlersInstalled) return;
	handlersInstalled = true;
	for (const [signal, number] of SIGNALS) {
		process.once(signal, () => {
			process.stderr.write(`\n${signal}: stopping what the queue-mode run started …\n`);
			cleanupAllSync();
			process.exit(128 + number);
		});
	}
	process.once('exit', cleanupAllSync);
}
