/** Connection retries at startup (`retryAttempts`/`retryDelay`/`toRetry` of `@nestjs/typeorm`). */
export interface ConnectRetry {
  /** Connection attempts in all, the first included. */
  readonly attempts: number;
  readonly delayMs: number;
  readonly toRetry?: (error: unknown) => boolean;
}
