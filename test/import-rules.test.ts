/**
 * Imports flow one way (README, Development): the shipped code (nodes/, credentials/) imports only
 * itself and n8n-workflow; sandbox/ only itself, Node's built-ins and axios; scripts/ may use sandbox/;
 * bench/ may use scripts/ and sandbox/; test/ may use all of them; nothing imports from test/.
 * Every import specifier of every git-tracked source file is read with TypeScript's own pre-parser
 * (import, export … from, require, import()).
 */
import { execFileSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import ts from 'typescript';

const ROOT = path.resolve(__dirname, '..');
const FOLDERS = ['nodes', 'credentials', 'sandbox', 'scripts', 'bench', 'test'] as const;
type Folder = (typeof FOLDERS)[number];

/** Which folders each folder may import from (itself included), and which packages. */
const RULES: Record<Folder, { folders: Folder[]; packages: (name: string) => boolean }> = {
	nodes: { folders: ['nodes', 'credentials'], packages: (name) => name === 'n8n-workflow' },
	credentials: { folders: ['nodes', 'credentials'], packages: (name) => name === 'n8n-workflow' },
	sandbox: { folders: ['sandbox'], packages: (name) => isBuiltin(name) || name === 'axios' },
	scripts: { folders: ['scripts', 'sandbox'], packages: () => true },
	bench: { folders: ['bench', 'scripts', 'sandbox'], packages: () => true },
	test: { folders: ['test', 'scripts', 'bench', 'sandbox', 'nodes', 'credentials'], packages: () => true },
};

function isBuiltin(name: string): boolean {
	return name.startsWith('node:') || builtinModules.includes(name.split('/')[0]);
}

/** The folder of the repository an import lands in ('(outside)' above the root), or the package it names. */
function target(file: string, specifier: string): { folder: string } | { package: string } {
	if (!specifier.startsWith('.')) {
		const [scope, name] = specifier.split('/');
		return { package: scope.startsWith('@') ? `${scope}/${name}` : scope };
	}
	const relative = path.relative(ROOT, path.resolve(ROOT, path.dirname(file), specifier));
	return { folder: relative.startsWith('..') ? '(outside)' : relative.split(path.sep)[0] };
}

function allowed(file: string, specifier: string): boolean {
	const rule = RULES[file.split('/')[0] as Folder];
	const to = target(file, specifier);
	return 'package' in to ? rule.packages(to.package) : (rule.folders as string[]).includes(to.folder);
}

/** Every import of `file` that its folder's rule does not allow, as "file: specifier". */
function violations(file: string): string[] {
	const { importedFiles } = ts.preProcessFile(readFileSync(path.join(ROOT, file), 'utf8'), true, true);
	return importedFiles.filter(({ fileName }) => !allowed(file, fileName)).map(({ fileName }) => `${file}: ${fileName}`);
}

const tracked = execFileSync('git', ['ls-files', '-z', ...FOLDERS.map((folder) => `${folder}/*.ts`)], { cwd: ROOT, encoding: 'utf8' })
	.split('\0')
	.filter(Boolean);

describe('imports flow one way', () => {
	it('finds the source files of every folder', () => {
		for (const folder of FOLDERS) expect(tracked.some((file) => file.startsWith(`${folder}/`))).toBe(true);
	});

	it.each(FOLDERS)('%s/ imports only what its rule allows', (folder) => {
		expect(tracked.filter((file) => file.startsWith(`${folder}/`)).flatMap(violations)).toEqual([]);
	});

	it('would catch an import against the rules', () => {
		const imports = allowed;
		expect(imports('bench/index.ts', '../test/harness/engine')).toBe(false);
		expect(imports('scripts/demo/setup.ts', '../../bench/common')).toBe(false);
		expect(imports('sandbox/server.ts', '../scripts/process')).toBe(false);
		expect(imports('sandbox/server.ts', 'n8n-workflow')).toBe(false);
		expect(imports('nodes/VaultPlusSync/transport/index.ts', 'axios')).toBe(false);
		expect(imports('nodes/VaultPlusSync/transport/index.ts', 'node:http')).toBe(false);
		expect(imports('credentials/OfAuthApi.credentials.ts', '../nodes/VaultPlusSync/helpers/baseUrl')).toBe(true);
		expect(imports('test/sync.engine.test.ts', '../bench/common')).toBe(true);
		expect(imports('bench/peer.ts', '../scripts/n8n-instance')).toBe(true);
	});
});
