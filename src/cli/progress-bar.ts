/** A one-line progress bar on stderr, drawn only when stderr is a terminal. */
import type { CommandContext } from './command-definition.js';

const BAR_WIDTH = 30;

/** Shows `done/total` with a bar and the current item; prints nothing when not on a terminal. */
export class ProgressBar {
  readonly #context: CommandContext;
  readonly #label: string;
  readonly #total: number;
  readonly #startedAt = Date.now();
  #done = 0;

  constructor(context: CommandContext, label: string, total: number) {
    this.#context = context;
    this.#label = label;
    this.#total = total;
  }

  /** Advances by one and shows the item about to be processed. */
  tick(item: string): void {
    this.#done += 1;
    if (!this.#context.interactive || this.#total === 0) return;
    const filled = Math.round((this.#done / this.#total) * BAR_WIDTH);
    const bar = '#'.repeat(filled) + '-'.repeat(BAR_WIDTH - filled);
    const seconds = ((Date.now() - this.#startedAt) / 1000).toFixed(1);
    process.stderr.write(`\r${this.#label} [${bar}] ${this.#done}/${this.#total} ${seconds}s ${item.slice(0, 40).padEnd(40)}`);
  }

  /** Ends the progress line. */
  finish(): void {
    if (this.#context.interactive && this.#total > 0) process.stderr.write('\n');
  }
}
