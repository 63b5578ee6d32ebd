/** An email as an inbox shows it, for the demo's printout. */
import type { ReceivedMail } from './mailbox';

export function formatMail(mail: ReceivedMail, index: number): string {
	const rule = '-'.repeat(78);
	return [
		rule,
		`Email ${index + 1}`,
		`From:    ${mail.from.join(', ')}`,
		`To:      ${mail.to.join(', ')}`,
		`Subject: ${mail.subject}`,
		'',
		...mail.text.split('\n').map((line) => `  ${line}`),
	].join('\n');
}
