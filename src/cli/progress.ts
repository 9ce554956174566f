/**
 * Progress of long operations (many migrations, large dumps) on stderr: on a terminal a single line
 * rewritten in place, elsewhere (CI, pipes) one plain line per step.
 */
export class Progress {
  #showing = false;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  get interactive(): boolean {
    return this.stream.isTTY === true;
  }

  update(text: string): void {
    if (this.interactive) {
      const width = this.stream.columns ? this.stream.columns - 1 : 120;
      this.stream.write(`\r\x1b[2K${text.slice(0, width)}`);
      this.#showing = true;
    } else {
      this.stream.write(`${text}\n`);
    }
  }

  /** Clears the in-place line before normal output follows. */
  clear(): void {
    if (this.#showing) this.stream.write('\r\x1b[2K');
    this.#showing = false;
  }
}
