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

/** Milliseconds between redraws of a `LineRateProgress`, so drawing never slows the work. */
const RATE_REDRAW_MS = 250;

/** Shows a running count of lines and lines per second, for input whose size is unknown; prints nothing when not on a terminal. */
export class LineRateProgress {
  readonly #context: CommandContext;
  readonly #label: string;
  readonly #startedAt = Date.now();
  #drawnAt = 0;
  #drawn = false;

  constructor(context: CommandContext, label: string) {
    this.#context = context;
    this.#label = label;
  }

  /** Shows `lines` lines read so far, at most every `RATE_REDRAW_MS`. */
  update(lines: number): void {
    if (!this.#context.interactive) return;
    const now = Date.now();
    if (now - this.#drawnAt < RATE_REDRAW_MS) return;
    this.#drawnAt = now;
    this.#drawn = true;
    const seconds = (now - this.#startedAt) / 1000;
    const rate = seconds > 0 ? Math.round(lines / seconds) : 0;
    process.stderr.write(`\r${this.#label} ${lines.toLocaleString('en-US')} lines, ${rate.toLocaleString('en-US')} lines/s, ${seconds.toFixed(1)}s   `);
  }

  /** Ends the progress line. */
  finish(): void {
    if (this.#drawn) process.stderr.write('\n');
  }
}
