// The scanner ships plain ESM without types; only what scan.ts uses is declared.
declare module '@n8n/scan-community-package/scanner/scanner.mjs' {
	export function analyzePackage(
		dir: string,
		patterns?: string[],
	): Promise<{ passed: boolean; message?: string; details?: string }>;
	export const SOURCE_FILE_PATTERNS: string[];
}
