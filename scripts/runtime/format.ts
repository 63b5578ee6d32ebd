/** How sizes and durations read in progress lines, errors and the CLI summary. */

export const GB = 1024 ** 3;

export function formatBytes(bytes: number): string {
	if (bytes >= GB) return `${(bytes / GB).toFixed(2)} GB`;
	if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(0)} MB`;
	return `${Math.max(0, Math.round(bytes / 1024))} kB`;
}

export function formatDuration(ms: number): string {
	const seconds = Math.round(ms / 1000);
	return seconds >= 60 ? `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
}

export function truncate(text: string, max: number): string {
	return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
