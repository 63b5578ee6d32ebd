/**
 * Runs the Vault+ Sync node the way an AI Agent uses its tool form (vaultPlusSyncTool): n8n-core turns
 * the node into a LangChain tool whose arguments come from the node's $fromAI() parameters, and runs
 * the node with the arguments the agent passes. The agent here is a stand-in that calls the tool once.
 */
import type { IDataObject, IExecuteFunctions, INode, INodeParameters, INodeType, INodeTypes, IRun } from 'n8n-workflow';
import { NodeConnectionTypes, NodeHelpers } from 'n8n-workflow';

import { CREDENTIAL_REF, CREDENTIAL_TYPE, loadPackage, startWorkflow, type OfAuthCredentials } from './engine';

const TOOL_NAME = 'Vault+ Sync Tool';

/** Mirrors what n8n does at load time for a node with usableAsTool: no main input, one ai_tool output. */
function toolFormOf(nodeType: INodeType): INodeType {
	const tool = Object.create(nodeType) as INodeType;
	tool.description = {
		...nodeType.description,
		name: `${nodeType.description.name}Tool`,
		displayName: `${nodeType.description.displayName} Tool`,
		inputs: [],
		outputs: [NodeConnectionTypes.AiTool],
		properties: [
			{ displayName: 'Description', name: 'toolDescription', type: 'string', default: '' },
			...nodeType.description.properties,
		],
	};
	return tool;
}

function agentCalling(toolArgs: IDataObject): INodeType {
	return {
		description: {
			displayName: 'Agent Stand-in',
			name: 'agentStandIn',
			group: ['transform'],
			version: 1,
			description: '',
			defaults: {},
			inputs: [NodeConnectionTypes.Main, NodeConnectionTypes.AiTool],
			outputs: [NodeConnectionTypes.Main],
			properties: [],
		},
		async execute(this: IExecuteFunctions) {
			const tools = (await this.getInputConnectionData(NodeConnectionTypes.AiTool, 0)) as Array<{
				name: string;
				schema: { shape?: Record<string, unknown> };
				invoke(args: IDataObject): Promise<string>;
			}>;
			const [tool] = tools;
			const answer = await tool.invoke(toolArgs).catch((error: Error) => `Error: ${error.message}`);
			return [[{ json: { toolName: tool.name, argumentNames: Object.keys(tool.schema.shape ?? {}).sort(), answer }, pairedItem: { item: 0 } }]];
		},
	};
}

export async function runAsTool(options: {
	credentials: OfAuthCredentials;
	parameters: INodeParameters;
	toolArgs: IDataObject;
}): Promise<{ run: IRun; toolName: string; argumentNames: string[]; answer: string }> {
	const pkg = await loadPackage();
	const tool = toolFormOf(pkg.node);
	const agent = agentCalling(options.toolArgs);
	const types: Record<string, INodeType> = { 'test.agent': agent, 'test.vaultPlusSyncTool': tool };
	const nodeTypes: INodeTypes = {
		getByName: (type) => types[type],
		getByNameAndVersion: (type, version) => NodeHelpers.getVersionedNodeType(types[type], version),
		getKnownTypes: () => ({}),
	};
	const agentNode: INode = { id: 'agent', name: 'Agent', type: 'test.agent', typeVersion: 1, position: [0, 0], parameters: {} };
	const toolNode: INode = {
		id: 'tool',
		name: TOOL_NAME,
		type: 'test.vaultPlusSyncTool',
		typeVersion: 1,
		position: [0, 200],
		parameters: options.parameters,
		credentials: { [CREDENTIAL_TYPE]: CREDENTIAL_REF },
	};
	const connections = { [TOOL_NAME]: { [NodeConnectionTypes.AiTool]: [[{ node: 'Agent', type: NodeConnectionTypes.AiTool, index: 0 }]] } };
	const { done } = await startWorkflow([agentNode, toolNode], { nodeTypes, connections, credentials: options.credentials });
	const run = await done;
	const output = run.data.resultData.runData.Agent?.[0]?.data?.main?.[0]?.[0]?.json ?? {};
	return {
		run,
		toolName: String(output.toolName),
		argumentNames: (output.argumentNames as string[]) ?? [],
		answer: String(output.answer),
	};
}
