// The scanner ships plain ESM without types; only what scan.ts uses is declared.
declare module '@n8n/scan-community-package/scanner/scanner.mjs' {
	type Result = { passed: boolean; message?: string; details?: string };
	export function analyzePackage(dir: string, patterns?: string[]): Promise<Result>;
	export const SOURCE_FILE_PATTERNS: string[];
	export function buildScanConfig(): Promise<Array<{ files?: string[]; rules?: Record<string, unknown> }>>;
	export function findPackageRoot(sourceDir: string, packageName: string): string | null;
	export function parseSourceRepo(attestations: unknown[]): { owner: string; repo: string; gitCommit: string } | null;
}

declare module '@n8n/scan-community-package/scanner/provenance.mjs' {
	export const NPM_PROVENANCE_PREDICATE_TYPE: string;
}
