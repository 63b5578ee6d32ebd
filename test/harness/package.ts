import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { PackageDirectoryLoader } from 'n8n-core';
import type { ICredentialType, INodeType, INodeTypes, IVersionedNodeType } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

export const PACKAGE_NAME = 'n8n-nodes-ofauth-vault-plus';

/** The checkout's root, found upwards, so the harness also works when compiled elsewhere in it. */
function findPackageRoot(from: string): string {
	for (let dir = from; dir !== path.dirname(dir); dir = path.dirname(dir)) {
		const manifest = path.join(dir, 'package.json');
		if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME) {
			return dir;
		}
	}
	throw new Error(`no ${PACKAGE_NAME} package.json above ${from}`);
}

export const PACKAGE_ROOT = findPackageRoot(__dirname);
export const NODE_TYPE = `${PACKAGE_NAME}.vaultPlusSync`;
export const CREDENTIAL_TYPE = 'ofAuthApi';

export interface LoadedPackage {
	loader: PackageDirectoryLoader;
	nodeTypes: INodeTypes;
	node: INodeType;
	credential: ICredentialType;
}

let loading: Promise<LoadedPackage> | undefined;

/**
 * Loads the built package the way n8n does: n8n-core's PackageDirectoryLoader reads package.json's
 * "n8n" section and requires the files in dist/, so a wrong path there fails every engine test.
 */
export async function loadPackage(): Promise<LoadedPackage> {
	loading ??= (async () => {
		const loader = new PackageDirectoryLoader(PACKAGE_ROOT);
		await loader.loadAll();
		const byName = (type: string): INodeType | IVersionedNodeType => {
			const shortName = type.startsWith(`${PACKAGE_NAME}.`) ? type.slice(PACKAGE_NAME.length + 1) : type;
			const loaded = loader.nodeTypes[shortName];
			if (!loaded) throw new Error(`Unknown node type ${type}`);
			return loaded.type;
		};
		const nodeTypes: INodeTypes = {
			getByName: byName,
			getByNameAndVersion: (type, version) => NodeHelpers.getVersionedNodeType(byName(type), version),
			getKnownTypes: () => ({}),
		};
		return {
			loader,
			nodeTypes,
			node: loader.nodeTypes.vaultPlusSync.type as INodeType,
			credential: loader.credentialTypes[CREDENTIAL_TYPE].type,
		};
	})();
	return await loading;
}
