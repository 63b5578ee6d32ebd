/**
 * The in-process admin API: everything the HTTP admin routes can do, callable directly on a
 * running Sandbox (`sandbox.admin.setListMedia(...)`).
 */
import { FaultQueue, parseFault, type Fault, type FaultSpec } from './faults';
import type { Connection, ConnectionStatus, SandboxState, VaultList } from './model';
import {
	patchListMedia,
	setListMedia,
	setSessionStatus,
	setVaultPlus,
	type ListContent,
	type ListPatch,
} from './mutations';
import { RequestLog } from './request-log';
import { buildState, type SandboxSeed } from './seed';
import { snapshot, type StateSnapshot } from './snapshot';

export interface SandboxAdmin {
	/** Back to the seed: state rebuilt in place, faults and request log cleared. */
	reset(): void;
	snapshot(): StateSnapshot;
	setListMedia(connectionId: string, listId: number, content: ListContent): VaultList;
	patchListMedia(connectionId: string, listId: number, patch: ListPatch): VaultList;
	setSessionStatus(connectionId: string, status: ConnectionStatus): Connection;
	setVaultPlus(connectionId: string, enabled: boolean): Connection;
	/** Validated as the HTTP route validates it; throws ApiError (400) on a bad spec. */
	addFault(spec: FaultSpec): Fault;
	faults(): Fault[];
	clearFaults(): number;
}

export interface AdminParts {
	state: SandboxState;
	seed: SandboxSeed;
	/** Replace the seed's keys, e.g. to test a key rotation. */
	apiKeys?: string[];
	faults: FaultQueue;
	log: RequestLog;
}

/** A state built from the seed, with the configured keys. */
export function freshState(parts: Pick<AdminParts, 'seed' | 'apiKeys'>): SandboxState {
	const state = buildState(parts.seed);
	if (parts.apiKeys) state.apiKeys = [...parts.apiKeys];
	return state;
}

export function createAdmin(parts: AdminParts): SandboxAdmin {
	const { state, faults, log } = parts;
	return {
		reset() {
			// In place, so that references to `sandbox.state` taken earlier stay live.
			Object.assign(state, freshState(parts));
			faults.clear();
			log.clear();
		},
		snapshot: () => snapshot(state),
		setListMedia: (connectionId, listId, content) =>
			setListMedia(state, connectionId, listId, content),
		patchListMedia: (connectionId, listId, patch) =>
			patchListMedia(state, connectionId, listId, patch),
		setSessionStatus: (connectionId, status) => setSessionStatus(state, connectionId, status),
		setVaultPlus: (connectionId, enabled) => setVaultPlus(state, connectionId, enabled),
		addFault: (spec) => faults.add(parseFault(spec)),
		faults: () => faults.pending(),
		clearFaults() {
			const cleared = faults.pending().length;
			faults.clear();
			return cleared;
		},
	};
}
