/**
 * The completion marker: an install directory is reused only while its marker is present, of this
 * format, and matches the pinned versions. Anything else counts as incomplete and is reinstalled.
 */
import { existsSync, promises as fsp } from 'node:fs';
import path from 'node:path';

import { nodeBinFor, runtimeEnv, wantedNodeVersion, type N8nRuntime, type RuntimeName, type RuntimeSpec } from './specs';

const MARKER_FILE = '.ofauth-runtime-complete.json';
const MARKER_FORMAT = 1;

export interface Marker {
	format: number;
	runtime: RuntimeName;
	n8nVersion: string;
	nodeVersion: string;
	nodePackage: string | null;
	nodeBin: string;
	/** Informational; the path used is n8nMainRelative under the runtime dir (the cache may be moved). */
	n8nMain: string;
	n8nMainRelative: string;
	installedAt: string;
	installSeconds: number;
	sizeBytes: number;
}

export function markerPath(dir: string): string {
	return path.join(dir, MARKER_FILE);
}

export async function readCompleteRuntime(spec: RuntimeSpec, dir: string): Promise<N8nRuntime | undefined> {
	let marker: Marker;
	try {
		marker = JSON.parse(await fsp.readFile(markerPath(dir), 'utf8')) as Marker;
	} catch {
		return undefined;
	}
	const nodeBin = nodeBinFor(spec, dir);
	const wantedNode = wantedNodeVersion(spec);
	const relative =
		typeof marker.n8nMainRelative === 'string'
			? marker.n8nMainRelative
			: typeof marker.n8nMain === 'string'
				? path.relative(dir, marker.n8nMain)
				: '';
	const n8nMain = relative && !relative.startsWith('..') ? path.join(dir, relative) : '';
	const matches =
		marker.format === MARKER_FORMAT &&
		marker.runtime === spec.name &&
		marker.n8nVersion === spec.n8nVersion &&
		(spec.node.kind === 'npm' ? marker.nodeVersion === wantedNode : true) &&
		n8nMain !== '' &&
		existsSync(nodeBin) &&
		existsSync(n8nMain);
	if (!matches) return undefined;
	return {
		name: spec.name,
		n8nVersion: marker.n8nVersion,
		nodeVersion: wantedNode,
		nodeBin,
		n8nMain,
		dir,
		env: runtimeEnv(spec, nodeBin),
	};
}

/** Call last: the marker's presence is what makes the directory reusable, so it appears atomically. */
export async function writeMarker(dir: string, fields: Omit<Marker, 'format'>): Promise<Marker> {
	const marker: Marker = { format: MARKER_FORMAT, ...fields };
	const markerTmp = `${markerPath(dir)}.tmp`;
	await fsp.writeFile(markerTmp, `${JSON.stringify(marker, null, 2)}\n`);
	await fsp.rename(markerTmp, markerPath(dir));
	return marker;
}
