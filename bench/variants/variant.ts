import type { INestApplication } from '@nestjs/common';

/** A way of doing a transactional request in NestJS, as a bench server builds it. */
export interface Variant {
  name: string;
  /** Whether the POST/GET /items endpoints exist (the ping variants only serve /ping). */
  hasItems: boolean;
  /** Whether the variant can run on this database now (default: always); the others are skipped. */
  runsOn?(kind: string): boolean;
  createApp(connectionString: string): Promise<INestApplication>;
}
