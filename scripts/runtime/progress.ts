/**
 * What a long step tells the user while it runs: npm's and node-gyp's own output is either silent
 * for minutes or a flood, so every ~15 s we print one line built from cheap measurements instead.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';

import { formatBytes, formatDuration, truncate } from './format';

/** Prints one progress line, already prefixed by the caller with the runtime's name. */
export type Say = (line: string) => void;

export const PROGRESS_EVERY_MS = 15_000;

export interface ProgressSnapshot {
	elapsedMs: number;
	packages: number;
	writtenBytes: number;
	lastOutputLine: string;
}

export function progressLine(snapshot: ProgressSnapshot): string {
	const parts = [
		`${formatDuration(snapshot.elapsedMs)} elapsed`,
		snapshot.packages > 0 ? `${snapshot.packages} packages in node_modules` : undefined,
		snapshot.writtenBytes > 0 ? `disk use +${formatBytes(snapshot.writtenBytes)}` : undefined,
		snapshot.lastOutputLine ? `npm: ${truncate(snapshot.lastOutputLine, 110)}` : undefined,
	].filter(Boolean);
	return `  ${parts.join(', ')}`;
}

/** Cheap progress measure: top-level (and scoped) package directories in node_modules. */
export function countPackages(nodeModules: string): number {
	try {
		let count = 0;
		for (const entry of readdirSync(nodeModules)) {
			if (entry.startsWith('.')) continue;
			if (entry.startsWith('@')) {
				try {
					count += readdirSync(path.join(nodeModules, entry)).length;
				} catch {
					// vanished mid-install
				}
			} else count += 1;
		}
		return count;
	} catch {
		return 0;
	}
}

/** The line cleaned for display, or undefined when it is not worth showing as "what npm is doing". */
export function informativeLine(raw: string): string | undefined {
	const clean = stripAnsi(raw).trim();
	return clean && isInformative(clean) ? clean : undefined;
}

/** Compiler diagnostics (source excerpts, carets, warnings) say nothing about progress. */
function isInformative(line: string): boolean {
	return !/^(\d+\s*)?\|/.test(line) && !/^[\s^~|]+$/.test(line) && !/: (warning|note): /.test(line) && !/^In file included from|^from |: In (static |member )?function /.test(line);
}

function stripAnsi(text: string): string {
	// eslint-disable-next-line no-control-regex
	return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
}
