import type { AlchemyConfig } from '../config/alchemy-config';

type ConfigListener = (configs: readonly AlchemyConfig[]) => void;

let listener: ConfigListener | undefined;

/**
 * Runs `boot` while `listen` hears the bind keys' configurations as soon as the module has them,
 * before any database is connected: `doctor` still knows what the application configures when
 * its boot then fails (a database down, a driver missing).
 */
export async function observeConfigs<T>(listen: ConfigListener, boot: () => Promise<T>): Promise<T> {
  const previous = listener;
  listener = listen;
  try {
    return await boot();
  } finally {
    listener = previous;
  }
}

/** Called by the module once its configurations are normalised, before it connects. */
export function announceConfigs(configs: readonly AlchemyConfig[]): void {
  listener?.(configs);
}
