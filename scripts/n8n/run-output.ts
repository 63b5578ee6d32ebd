/** What `n8n execute --rawOutput` prints: the run (IRun) among log lines, and one node's items from it. */

/** The parts of n8n's IRun that the checks use; the rest is there too (typed loosely on purpose). */
export interface N8nRunLike {
	status?: string;
	finished?: boolean;
	mode?: string;
	data: {
		resultData: {
			error?: Record<string, unknown> & { message?: string; name?: string };
			lastNodeExecuted?: string;
			runData: Record<
				string,
				Array<{
					error?: Record<string, unknown> & { message?: string; name?: string };
					executionStatus?: string;
					data?: { main?: Array<Array<{ json: Record<string, unknown>; pairedItem?: unknown }> | null> };
				}>
			>;
		};
	};
	[key: string]: unknown;
}

/**
 * The IRun JSON of `n8n execute --rawOutput`. Other log lines (task broker and runner warnings,
 * info messages) come before and after it on stdout, so this scans for a balanced top-level
 * `{…}` that parses and has a `data` key, trying each `{` that starts a line (then any `{`).
 */
export function parseRun(stdout: string): N8nRunLike | undefined {
	const starts: number[] = [];
	for (const match of stdout.matchAll(/^\{/gm)) if (match.index !== undefined) starts.push(match.index);
	const firstBrace = stdout.indexOf('{');
	if (firstBrace >= 0 && !starts.includes(firstBrace)) starts.push(firstBrace);
	for (const start of starts) {
		const end = matchingBrace(stdout, start);
		if (end < 0) continue;
		try {
			const parsed = JSON.parse(stdout.slice(start, end + 1)) as N8nRunLike;
			if (parsed && typeof parsed === 'object' && 'data' in parsed) return parsed;
		} catch {
			// not JSON: try the next start
		}
	}
	return undefined;
}

/** Index of the `}` closing the `{` at `start` (JSON string-aware), or -1. */
function matchingBrace(text: string, start: number): number {
	let depth = 0;
	let inString = false;
	for (let i = start; i < text.length; i++) {
		const ch = text[i];
		if (inString) {
			if (ch === '\\') i++;
			else if (ch === '"') inString = false;
		} else if (ch === '"') inString = true;
		else if (ch === '{' || ch === '[') depth++;
		else if (ch === '}' || ch === ']') {
			depth--;
			if (depth === 0) return ch === '}' ? i : -1;
		}
	}
	return -1;
}

/** Output items (json only) of one node's first run: `nodeOutput(run, 'Vault+ Sync')`. */
export function nodeOutput(run: N8nRunLike | undefined, nodeName: string, outputIndex = 0): Array<Record<string, unknown>> {
	const task = run?.data.resultData.runData[nodeName]?.[0];
	return (task?.data?.main?.[outputIndex] ?? []).map((item) => item.json);
}
