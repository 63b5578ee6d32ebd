/** How the benchmarks report: tables for BENCHMARKS.md (the console's: scripts/demo/story.ts), and the machine measured on. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const BENCHMARKS_FILE = path.resolve(__dirname, '../BENCHMARKS.md');

const HEADER = `# Benchmarks

Written by \`npm run bench\` (in-process, n8n-core's engine) and \`npm run bench:peer\` (real n8n 2.41.1
CLI). Each section says when and where it was measured; rerun the command to refresh it. Ratios compare
runs made in the same process on the same machine, so they hold across machines better than the times.
`;

export const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
export const seconds = (ms: number | undefined): string => (ms === undefined ? '-' : `${(ms / 1000).toFixed(2)} s`);

export function machineLine(): string {
	const cpus = os.cpus();
	return `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB, ${os.type()} ${os.release()}`;
}

/** Writes a section of BENCHMARKS.md between its markers, keeping the other sections. */
export function writeSection(name: string, body: string): void {
	const start = `<!-- ${name}:start -->`;
	const end = `<!-- ${name}:end -->`;
	let text = existsSync(BENCHMARKS_FILE) ? readFileSync(BENCHMARKS_FILE, 'utf8') : HEADER;
	const block = `${start}\n${body.trim()}\n${end}`;
	const from = text.indexOf(start);
	const to = text.indexOf(end);
	text = from >= 0 && to > from ? text.slice(0, from) + block + text.slice(to + end.length) : `${text.trimEnd()}\n\n${block}\n`;
	writeFileSync(BENCHMARKS_FILE, text);
}

export function markdownTable(rows: string[][]): string {
	const [head, ...body] = rows;
	return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...body.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}
