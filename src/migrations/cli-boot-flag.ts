let bootsInProgress = 0;

/**
 * True while a migration tool boots the application: startup migrations (`runOnStartup`) and
 * `createAll` must not run then — the tool is about to manage the schema itself. (A module of its
 * own, importing nothing, so the startup code can ask without an import cycle.)
 */
export function isDatabaseCliBoot(): boolean {
  return bootsInProgress > 0;
}

/** Marks a migration tool's boot for the duration of `boot`. */
export async function duringDatabaseCliBoot<T>(boot: () => Promise<T>): Promise<T> {
  bootsInProgress++;
  try {
    return await boot();
  } finally {
    bootsInProgress--;
  }
}
