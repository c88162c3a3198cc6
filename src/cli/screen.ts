/**
 * A block of text redrawn in place on a terminal (ANSI/VT100 cursor moves,
 * no dependency): each frame moves the cursor back up over the previous
 * one, clears to the end of the screen and writes the new lines. Lines are
 * cut to the terminal's width so a wrapped line cannot throw the count off.
 * The cursor is hidden while it runs and shown again by `close()`.
 */
export interface ScreenStream {
  write(text: string): unknown;
  columns?: number;
}

const ESC = '\x1b[';
export const HIDE_CURSOR = `${ESC}?25l`;
export const SHOW_CURSOR = `${ESC}?25h`;

export class LiveScreen {
  private drawn = 0;
  private open = true;

  constructor(private readonly out: ScreenStream) {
    out.write(HIDE_CURSOR);
  }

  draw(lines: readonly string[]): void {
    if (!this.open) return;
    const width = this.out.columns && this.out.columns > 1 ? this.out.columns - 1 : Infinity;
    const fitted = lines.map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l));
    const up = this.drawn > 0 ? `${ESC}${this.drawn}A` : '';
    this.out.write(`${up}\r${ESC}J${fitted.join('\n')}\n`);
    this.drawn = fitted.length;
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.out.write(SHOW_CURSOR);
  }
}
