import { describeNightly } from './nightly';

// n8n 1.123.81 on the system Node 20.
describeNightly('n8n1');
