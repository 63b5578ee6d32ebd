import type { IDataObject, IExecuteFunctions, IGetNodeParameterOptions, NodeParameterValueType } from 'n8n-workflow';

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

/** `{{ $json.field }}` and nothing else: by far the most common expression in the ID fields. */
const JSON_FIELD = /^=\{\{\s*\$json\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$/;

/**
 * The field a parameter reads when its whole value (or, for a resource locator picked "By ID" or
 * "From List", its value) is `{{ $json.field }}`.
 */
function plainJsonField(parameter: unknown): { field: string; locator: boolean } | undefined {
	let expression = parameter;
	const locator = parameter !== null && typeof parameter === 'object' && !Array.isArray(parameter);
	if (locator) {
		const { __rl, mode, value } = parameter as { __rl?: unknown; mode?: unknown; value?: unknown };
		expression = __rl === true && (mode === 'id' || mode === 'list') ? value : undefined;
	}
	const field = typeof expression === 'string' ? JSON_FIELD.exec(expression)?.[1] : undefined;
	return field === undefined ? undefined : { field, locator };
}

/**
 * n8n evaluates a parameter anew for every item, which costs real time over thousands of items
 * (most of a millisecond each in n8n 2.x's sandboxed expression engine). A parameter without any
 * expression has the same value for every item, so it is read once; one that is just
 * `{{ $json.field }}` is read from the item itself, which is what n8n would evaluate it to. Anything
 * else, and an item that lacks the field, goes through n8n.
 */
export function itemParameterReader(context: IExecuteFunctions): ReadParameter {
	const parameters = context.getNode().parameters;
	const items = context.getInputData();
	const fixedValues = new Map<string, unknown>();
	const fields = new Map<string, ReturnType<typeof plainJsonField>>();
	return (name, itemIndex, fallback, options) => {
		if (!fields.has(name)) fields.set(name, plainJsonField(parameters[name]));
		const plain = fields.get(name);
		const json: IDataObject | undefined = items[itemIndex]?.json;
		// A resource locator's value alone is what n8n returns only when asked to extract it.
		const applies = plain !== undefined && (!plain.locator || options?.extractValue === true);
		if (applies && json && Object.prototype.hasOwnProperty.call(json, plain.field)) return json[plain.field];
		if (holdsExpression(parameters[name])) {
			return context.getNodeParameter(name, itemIndex, fallback, options);
		}
		const key = options?.extractValue ? `${name}\u0000value` : name;
		if (!fixedValues.has(key)) fixedValues.set(key, context.getNodeParameter(name, itemIndex, fallback, options));
		return fixedValues.get(key);
	};
}
