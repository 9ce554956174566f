import { createInterface } from 'node:readline';
import { CliError, EXIT } from './cli-error';

/**
 * Destructive commands ask before they act. Without a terminal to ask on they refuse at once (exit
 * 2) rather than wait for an answer that cannot come; `--no-prompt` is the explicit go-ahead.
 */
export function ensureCanConfirm(prompt: boolean, command: string): void {
  if (!prompt || process.stdin.isTTY) return;
  throw new CliError(
    `Refusing to run ${command} without confirmation: stdin is not a terminal, so there is no one to ask. ` +
      'Re-run with --no-prompt to proceed.',
    EXIT.usage,
  );
}

/** Asks a yes/no question on the terminal; anything but y/yes refuses (exit 2). */
export async function confirmOrRefuse(prompt: boolean, command: string, question: string): Promise<void> {
  ensureCanConfirm(prompt, command);
  if (!prompt) return;
  const answer = await new Promise<string>((resolve) => {
    const terminal = createInterface({ input: process.stdin, output: process.stderr });
    terminal.on('close', () => resolve(''));
    terminal.question(`${question} [y/N] `, (text) => {
      resolve(text);
      terminal.close();
    });
  });
  if (!/^\s*y(es)?\s*$/i.test(answer)) throw new CliError(`${command}: aborted, nothing was changed.`, EXIT.usage);
}
