import { describeE2e } from './suite';

// n8n 1.123.81 on the system Node 20, with the legacy expression engine.
describeE2e('n8n1');
