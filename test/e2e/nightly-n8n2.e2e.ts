import { describeNightly } from './nightly';

// n8n 2.41.1 on Node 24.21.0.
describeNightly('n8n2');
