import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { AlchemyConfig } from '../config/alchemy-config';
import { markBehindTransactionPooler, refusedStartupParameter } from '../session/transaction-pooler';

/**
 * Connects the DataSource. When a pooler refuses the `statement_timeout` startup parameter (PgBouncer
 * forwards only a few) and `engineConfig.transactionPooler` is not set, the bind key is taken to be
 * behind a transaction pooler: it connects again without the parameter, and its sessions set the
 * timeout per transaction. `transactionPooler: false` keeps the refusal a startup error.
 */
export async function initializeBehindAnyPooler(config: AlchemyConfig, dataSource: DataSource): Promise<void> {
  try {
    await dataSource.initialize();
  } catch (error) {
    const extra = (dataSource.options as { extra?: Record<string, unknown> }).extra;
    const canRetry =
      dataSource.options.type === 'postgres' &&
      config.engineConfig.transactionPooler === undefined &&
      !config.dataSource &&
      refusedStartupParameter(error) === 'statement_timeout' &&
      extra !== undefined &&
      'statement_timeout' in extra;
    if (!canRetry) throw error;
    delete extra.statement_timeout;
    markBehindTransactionPooler(dataSource);
    // Recorded on the bind key's configuration: its read replicas, opened next, connect the same way.
    config.engineConfig.transactionPooler = true;
    new Logger('AdvancedAlchemy').log(
      `Bind key "${config.bindKey}": the server refused the statement_timeout startup parameter, as PgBouncer ` +
        `does: connecting as behind a transaction pooler (the statement timeout is set in each transaction). ` +
        `Set engineConfig.transactionPooler: true to say so.`,
    );
    await dataSource.initialize();
  }
}

/** What to add to a startup error a pooler caused: the option that fixes it. */
export function poolerHint(error: unknown): string {
  const parameter = refusedStartupParameter(error);
  if (!parameter) return '';
  return (
    `. A connection pooler (PgBouncer?) refused the startup parameter "${parameter}": set ` +
    `engineConfig.transactionPooler: true (and leave "${parameter}" out of engineConfig.connectArgs ` +
    `or of your own DataSource's extra options).`
  );
}
