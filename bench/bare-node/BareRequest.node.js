/**
 * The floor under any node in real n8n: a node that does nothing but call n8n's request helper with
 * the OFAuth API credential, a fixed number of requests at a time, the IDs read straight from the
 * items. `npm run bench:peer` copies it into n8n's custom folder (as CUSTOM.bareRequest) beside the
 * package and runs the same fan-out job through it. Plain JavaScript: n8n loads it as it is.
 */
class BareRequest {
	constructor() {
		this.description = {
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
	}

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
				const body = await this.helpers.httpRequestWithAuthentication.call(this, 'ofAuthApi', {
					method: 'PUT',
					url: `${baseUrl}/v2/vault-plus/lists/${listId}/sync`,
					headers: { 'x-connection-id': connectionId },
					json: true,
				});
				output[index] = { json: body, pairedItem: { item: index } };
			}
		};
		await Promise.all(Array.from({ length: atOnce }, worker));
		return [output];
	}
}

module.exports = { BareRequest };
