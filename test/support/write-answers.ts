import type { TestHttpClient } from 'nestjs-advanced-alchemy/testing';

/** One write request of a load test and what the application answered to it. */
export interface WriteAnswer {
  writer: number;
  seq: number;
  status: number;
  retryAfter: string | null;
  /** The error body's message ('' for a 2xx). */
  message: string;
  sentAt: number;
  answeredAt: number;
}

/** POSTs `{ writer, seq }` to `path` and records the answer. */
export async function postWrite(http: TestHttpClient, path: string, writer: number, seq: number): Promise<WriteAnswer> {
  const sentAt = performance.now();
  const response = await http.post<{ message?: string } | undefined>(path, { writer, seq });
  return {
    writer,
    seq,
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    message: typeof response.body === 'object' ? (response.body?.message ?? '') : response.text,
    sentAt,
    answeredAt: performance.now(),
  };
}

export const isSuccess = (answer: WriteAnswer): boolean => answer.status >= 200 && answer.status < 300;

/** The error answers that say the outcome is unknown (a COMMIT in flight when the connection died). */
export const outcomeUnknown = (answer: WriteAnswer): boolean =>
  answer.message.includes('may or may not have been stored');
