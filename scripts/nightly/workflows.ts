/**
 * The shipped nightly job as the nightly test and the demo run it in `n8n start`: the "sync every
 * custom list" example and the error workflow, unchanged except for three things: the schedule fires
 * every few seconds instead of at 4:00, the Slack nodes are No Operation nodes (Slack cannot be
 * reached from here), and the node type is the one n8n gives a package loaded from ~/.n8n/custom.
 */
import { loadExample, slackAsNoOp, type WorkflowJson, type WorkflowNode } from '../demo/workflows';
import type { Mailbox } from './mailbox';

/** The SMTP credential the examples' Send Email nodes name. */
export const SMTP_CREDENTIAL = { id: 'smtpCredential01', name: 'SMTP account' };
export const NIGHTLY_WORKFLOW_ID = 'vaultPlusAllList';
export const ERROR_WORKFLOW_ID = 'vaultPlusOnError';

/** An SMTP credential for the mailbox: no login, no TLS (both are the credential's own fields). */
export function smtpCredential(mailbox: Pick<Mailbox, 'host' | 'port'>) {
	return {
		...SMTP_CREDENTIAL,
		type: 'smtp',
		data: { user: '', password: '', host: mailbox.host, port: mailbox.port, secure: false, disableStartTls: true },
	};
}

/** The Schedule Trigger's rule, every `seconds` seconds (n8n's "Seconds" interval: a cron of *\/N seconds). */
function firingEvery(node: WorkflowNode, seconds: number): WorkflowNode {
	if (node.type !== 'n8n-nodes-base.scheduleTrigger') return node;
	return { ...node, parameters: { rule: { interval: [{ field: 'seconds', secondsInterval: seconds }] } } };
}

/** The nightly example and the error workflow, ready to import (ids kept: the setting refers to the id). */
export function nightlyJobWorkflows(options: { everySeconds: number }): { nightly: WorkflowJson; onError: WorkflowJson } {
	const nightly = loadExample('allLists');
	const onError = loadExample('errorWorkflow');
	return {
		nightly: { ...nightly, nodes: nightly.nodes.map((node) => firingEvery(slackAsNoOp(node), options.everySeconds)) },
		onError: { ...onError, nodes: onError.nodes.map(slackAsNoOp) },
	};
}
