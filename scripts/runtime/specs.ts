/**
 * What is pinned, where it lives, and the completion marker that makes an install reusable
 * (CI keys its cache of the runtimes on this file). n8n2: n8n 2.41.1 on Node 24 from npm.
 * n8n1: n8n 1.123.81 on the Node running this script (20), with xlsx taken from npm (n8n-nodes-base 1.x
 * points it at cdn.sheetjs.com) and the legacy expression engine (isolated-vm 6 cannot build for Node 20).
 */
import { existsSync, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type RuntimeName = 'n8n2' | 'n8n1';

export interface N8nRuntime {
	name: RuntimeName;
	n8nVersion: string;
	/** e.g. "24.21.0" (no leading v). */
	nodeVersion: string;
	/** Run n8n as `nodeBin n8nMain <command>`. */
	nodeBin: string;
	n8nMain: string;
	/** The install directory (holds node_modules/n8n). */
	dir: string;
	/** Add to every n8n command: PATH with nodeBin's directory first, N8N_EXPRESSION_ENGINE for n8n1. */
	env: Record<string, string>;
}

export interface RuntimeSpec {
	name: RuntimeName;
	n8nVersion: string;
	/** Node from the npm registry (node-<platform>-<arch>); without it, the Node running this script. */
	nodePackageVersion?: string;
	overrides?: Record<string, string>;
	env: Record<string, string>;
}

export const SPECS: Record<RuntimeName, RuntimeSpec> = {
	n8n2: { name: 'n8n2', n8nVersion: '2.41.1', nodePackageVersion: '24.21.0', env: {} },
	n8n1: { name: 'n8n1', n8nVersion: '1.123.81', overrides: { xlsx: 'npm:@e965/xlsx@0.20.3' }, env: { N8N_EXPRESSION_ENGINE: 'legacy' } },
};

/** ${OFAUTH_N8N_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-ofauth-vault-plus} */
export function cacheRoot(): string {
	if (process.env.OFAUTH_N8N_CACHE_DIR) return path.resolve(process.env.OFAUTH_N8N_CACHE_DIR);
	return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'n8n-nodes-ofauth-vault-plus');
}

export const nodePackageName = (): string => `node-${process.platform}-${process.arch}`;

/** Named after the pinned versions, so a version bump never reuses an old tree. */
export function runtimeDir(spec: RuntimeSpec): string {
	const nodePart = spec.nodePackageVersion ?? process.versions.node.split('.')[0];
	return path.join(cacheRoot(), `${spec.name}-n8n${spec.n8nVersion}-node${nodePart}`);
}

/** The runtime installed in `dir`: what readCompleteRuntime returns once the marker says it is complete. */
export function describeRuntime(spec: RuntimeSpec, dir: string): N8nRuntime {
	const nodeBin = spec.nodePackageVersion ? path.join(dir, 'node_modules', nodePackageName(), 'bin', 'node') : process.execPath;
	const PATH = [path.dirname(nodeBin), process.env.PATH].filter(Boolean).join(path.delimiter);
	const n8nMain = path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
	const nodeVersion = spec.nodePackageVersion ?? process.versions.node;
	return { name: spec.name, n8nVersion: spec.n8nVersion, nodeVersion, nodeBin, n8nMain, dir, env: { PATH, ...spec.env } };
}

// Written last (atomically) by install.ts: a directory without a marker matching the pins is incomplete.
const MARKER_FORMAT = 1;
const markerPath = (dir: string): string => path.join(dir, '.ofauth-runtime-complete.json');

type Marker = { format: number; runtime: RuntimeName; n8nVersion: string; nodeVersion: string; n8nMainRelative: string };

/** The installed runtime, or undefined when its directory holds no complete install of the pinned versions. */
export async function readCompleteRuntime(spec: RuntimeSpec): Promise<N8nRuntime | undefined> {
	const runtime = describeRuntime(spec, runtimeDir(spec));
	const marker = (await fsp.readFile(markerPath(runtime.dir), 'utf8').then(JSON.parse).catch(() => undefined)) as Marker | undefined;
	const matches =
		marker?.format === MARKER_FORMAT &&
		marker.runtime === spec.name &&
		marker.n8nVersion === spec.n8nVersion &&
		(!spec.nodePackageVersion || marker.nodeVersion === spec.nodePackageVersion) &&
		existsSync(runtime.nodeBin) &&
		existsSync(runtime.n8nMain);
	return matches ? runtime : undefined;
}

export async function writeMarker(runtime: N8nRuntime): Promise<void> {
	const { name, n8nVersion, nodeVersion, dir, n8nMain } = runtime;
	const marker: Marker = { format: MARKER_FORMAT, runtime: name, n8nVersion, nodeVersion, n8nMainRelative: path.relative(dir, n8nMain) };
	await fsp.writeFile(`${markerPath(dir)}.tmp`, JSON.stringify({ ...marker, installedAt: new Date().toISOString() }, null, 2));
	await fsp.rename(`${markerPath(dir)}.tmp`, markerPath(dir));
}
