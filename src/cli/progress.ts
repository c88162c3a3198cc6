/**
 * Progress while something waits (a member dialing, ringing): one line per
 * change, always; on a terminal also a status line under them that shows
 * the wait is alive (a spinner and the seconds so far), redrawn in place
 * and erased when the wait ends. Off a terminal (a pipe, a log, CI) there
 * is no spinner: only the lines, so the output reads the same afterwards.
 */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface ProgressOptions {
  /** Milliseconds since some origin; default Date.now. */
  now?: () => number;
  /** Spinner frame period on a terminal, ms (default 100). */
  frameMs?: number;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const CLEAR_LINE = '\r\x1b[2K';

export class Progress {
  private readonly start: number;
  private readonly now: () => number;
  private status = '';
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly out: ProgressStream,
    options: ProgressOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.start = this.now();
    if (out.isTTY) {
      this.timer = setInterval(() => this.redraw(), options.frameMs ?? 100);
      this.timer.unref();
    }
  }

  /** `+1.2s  text`: a line that stays; `atMs` is when it happened (default now). */
  line(text: string, atMs = this.now()): void {
    const since = Number.isNaN(atMs) ? this.now() - this.start : Math.max(0, atMs - this.start);
    const elapsed = `+${(since / 1000).toFixed(1)}s`;
    if (this.out.isTTY) this.out.write(CLEAR_LINE);
    this.out.write(`${elapsed.padStart(7)}  ${text}\n`);
    this.redraw();
  }

  /** What is being waited for, shown (on a terminal only) under the lines. */
  waiting(text: string): void {
    this.status = text;
    this.redraw();
  }

  /** Stops the spinner and erases the status line. */
  done(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.out.isTTY && this.status) this.out.write(CLEAR_LINE);
    this.status = '';
  }

  private redraw(): void {
    if (!this.out.isTTY || !this.status || !this.timer) return;
    const spin = FRAMES[this.frame++ % FRAMES.length];
    const secs = Math.floor((this.now() - this.start) / 1000);
    this.out.write(`${CLEAR_LINE}${spin} ${this.status} (${secs}s)`);
  }
}
