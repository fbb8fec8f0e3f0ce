/**
 * A transient progress line on an interactive stderr: shown only once a job
 * has run for a moment (small documents finish before it appears), updated
 * per stage, erased before the job's report is printed.
 */
import type { ProgressStage } from '../generate/pipeline.js';
import type { CliIO } from './io.js';

const SHOW_AFTER_MS = 300;
const CLEAR_LINE = '\r\u001b[2K';

export class ProgressLine {
  #stage: ProgressStage | undefined;
  #shown = false;
  readonly #timer: NodeJS.Timeout | undefined;

  constructor(private readonly io: CliIO, private readonly label: string) {
    this.#timer = io.interactive === true ? setTimeout(() => this.#draw(), SHOW_AFTER_MS) : undefined;
  }

  readonly update = (stage: ProgressStage): void => {
    this.#stage = stage;
    if (this.#shown) this.#draw();
  };

  #draw(): void {
    if (this.#stage === undefined) return;
    this.#shown = true;
    this.io.stderr(`${CLEAR_LINE}${this.label}: ${this.#stage}…`);
  }

  end(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#shown) this.io.stderr(CLEAR_LINE);
    this.#shown = false;
  }
}
