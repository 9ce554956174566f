import type { INestApplication } from '@nestjs/common';

/** A way of doing a transactional request in NestJS, as a bench server builds it. */
export interface Variant {
  name: string;
  /** Whether the POST/GET /items endpoints exist (the ping variants only serve /ping). */
  hasItems: boolean;
  /** Whether the variant can run on this database now (default: always); the others are skipped. */
  runsOn?(kind: string): boolean;
  createApp(connectionString: string): Promise<INestApplication>;
  /** What the bench sends to write and to read (default: POST /items and GET /items/:id). */
  requests?(readRow: number): { write: BenchRequest; read: BenchRequest };
}

/** One kind of request the bench sends. */
export interface BenchRequest {
  method: 'GET' | 'POST';
  path: string;
  /** A POST's JSON body. */
  body?: string;
}
