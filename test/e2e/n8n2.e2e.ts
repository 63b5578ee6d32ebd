import { describeE2e } from './suite';

// n8n 2.41.1 on Node 24.21.0 (from the npm registry).
describeE2e('n8n2');
