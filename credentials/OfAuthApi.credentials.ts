import type { ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

import { DEFAULT_BASE_URL, withApiKey } from '../nodes/VaultPlusSync/helpers/baseUrl';

export class OfAuthApi implements ICredentialType {
	name = 'ofAuthApi';

	displayName = 'OFAuth API';

	icon: Icon = {
		light: 'file:ofAuth.svg',
		dark: 'file:ofAuth.dark.svg',
	};

	documentationUrl =
		'https://github.com/ofauth-vault-plus/n8n-nodes-ofauth-vault-plus?tab=readme-ov-file#the-credential-ofauth-api';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'Your OFAuth API key, created under API Keys in the OFAuth dashboard',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: DEFAULT_BASE_URL,
			placeholder: `e.g. ${DEFAULT_BASE_URL}`,
			description:
				'The OFAuth API address. Must be HTTPS; plain HTTP is only accepted for a local server (localhost, 127.x.x.x or [::1]). The API key is only ever sent to this address.',
		},
	];

	/** Plain code rather than an expression: the key goes only to this credential's own Base URL. */
	authenticate = withApiKey;

	test: ICredentialTestRequest = {
		request: {
			// Empty means OFAuth's own address, as for the node; the key guard above judges the rest.
			baseURL: `={{ String($credentials.baseUrl ?? "").trim() || "${DEFAULT_BASE_URL}" }}`,
			url: '/v2/account/whoami',
			method: 'GET',
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message:
						"OFAuth rejected the API key. Copy it again from API Keys in the OFAuth dashboard, and check that 'Base URL' points at the OFAuth API.",
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message:
						'The API key is valid but lacks the Account permission needed to read whoami. Give the key the ACCOUNT scope in the OFAuth dashboard.',
				},
			},
		],
	};
}
