import type { IExecuteFunctions, IGetNodeParameterOptions, NodeParameterValueType } from 'n8n-workflow';

export type ReadParameter = (
	name: string,
	itemIndex: number,
	fallback?: NodeParameterValueType,
	options?: IGetNodeParameterOptions,
) => unknown;

function holdsExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(holdsExpression);
	if (value !== null && typeof value === 'object') return Object.values(value).some(holdsExpression);
	return false;
}

/**
 * n8n evaluates a parameter anew for every item, which costs real time over thousands of items. A
 * parameter without any expression has the same value for every item, so it is read once.
 */
export function itemParameterReader(context: IExecuteFunctions): ReadParameter {
	const parameters = context.getNode().parameters;
	const fixedValues = new Map<string, unknown>();
	return (name, itemIndex, fallback, options) => {
		if (holdsExpression(parameters[name])) {
			return context.getNodeParameter(name, itemIndex, fallback, options);
		}
		const key = options?.extractValue ? `${name}\u0000value` : name;
		if (!fixedValues.has(key)) fixedValues.set(key, context.getNodeParameter(name, itemIndex, fallback, options));
		return fixedValues.get(key);
	};
}
