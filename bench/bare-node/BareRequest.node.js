/**
 * The floor under any node in real n8n: it only calls n8n's request helper with the OFAuth API credential, `atOnce` at a
 * time, the IDs read straight from the items. `npm run bench:peer` copies it into n8n's custom folder (CUSTOM.bareRequest)
 * and runs the fan-out job through it. Plain JavaScript: n8n loads it as it is.
 */
class BareRequest {
	description = {
		displayName: 'Bare Request',
		name: 'bareRequest',
		group: ['transform'],
		version: 1,
		description: "Only n8n's request helper, for the benchmark's floor",
		defaults: { name: 'Bare Request' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: [{ name: 'ofAuthApi', required: true }],
		properties: [
			{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: '' },
			{ displayName: 'At Once', name: 'atOnce', type: 'number', default: 10 },
		],
	};

	async execute() {
		const items = this.getInputData();
		const baseUrl = this.getNodeParameter('baseUrl', 0);
		const atOnce = this.getNodeParameter('atOnce', 0);
		const output = new Array(items.length);
		let next = 0;
		const worker = async () => {
			while (next < items.length) {
				const index = next++;
				const { connectionId, listId } = items[index].json;
				const url = `${baseUrl}/v2/vault-plus/lists/${listId}/sync`;
				const request = { method: 'PUT', url, headers: { 'x-connection-id': connectionId }, json: true };
				const body = await this.helpers.httpRequestWithAuthentication.call(this, 'ofAuthApi', request);
				output[index] = { json: body, pairedItem: { item: index } };
			}
		};
		await Promise.all(Array.from({ length: atOnce }, worker));
		return [output];
	}
}

module.exports = { BareRequest };
