/** The one call callers need: a complete runtime, from the cache when it checks out, installed otherwise. */
import { promises as fsp } from 'node:fs';
import path from 'node:path';

import { install } from './install';
import { acquireLock } from './lock';
import { markerPath, readCompleteRuntime } from './marker';
import { checkNodeRange, RUNTIME_NAMES, runtimeDir, SPECS, type N8nRuntime, type RuntimeName, type RuntimeSpec } from './specs';

export interface EnsureRuntimeOptions {
	/** Progress lines; default: console.error. */
	log?: (line: string) => void;
	/** Wipe and reinstall even when a complete install is present. */
	force?: boolean;
}

// Callers in one process (test files, demo steps) share a single install rather than queueing on the lock.
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
		if (!ready) throw new Error(`[${spec.name}] install finished but ${markerPath(dir)} does not check out`);
		return ready;
	} finally {
		await release();
	}
}
