import cliProgress from 'cli-progress';
import type { Output } from '../commands/command.js';

/** A non-terminal (a log, a pipe) gets a progress line this often instead of a redrawn one. */
const PIPE_EVERY_MS = 5_000;

/** The CLI's live output: a progress bar when the total is known, otherwise one line redrawn in place. */
export class CliOutput implements Output {
  private bar: { bar: cliProgress.SingleBar; total: number; done: number; state: string } | null = null;
  private lineShown = false;
  private lastPiped = 0;
  private readonly tty = process.stdout.isTTY === true;

  line(text: string): void {
    const bar = this.bar;
    if (bar) bar.bar.stop();
    if (this.lineShown && this.tty) process.stdout.write('\n');
    this.lineShown = false;
    console.log(text);
    // The bar is drawn again below the line, where it was.
    if (bar) bar.bar.start(bar.total, bar.done, { state: bar.state });
  }

  progress(p: { title: string; done?: number; total?: number; state: string }): void {
    if (p.total === undefined || p.done === undefined) {
      this.statusLine(p.state);
      return;
    }
    const total = Math.max(p.total, 1);
    if (!this.bar) {
      const bar = new cliProgress.SingleBar(
        { format: `${p.title} [{bar}] {percentage}% | {value}/{total} | {state}`, hideCursor: true, noTTYOutput: false, etaBuffer: 50 },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, p.done, { state: p.state });
      this.bar = { bar, total, done: p.done, state: p.state };
    }
    Object.assign(this.bar, { total, done: p.done, state: p.state });
    this.bar.bar.setTotal(total);
    this.bar.bar.update(p.done, { state: p.state });
  }

  endProgress(): void {
    this.bar?.bar.stop();
    this.bar = null;
    if (this.lineShown && this.tty) process.stdout.write('\n');
    this.lineShown = false;
  }

  private statusLine(text: string): void {
    if (this.tty) {
      process.stdout.write(`\r${text.padEnd(110)}`);
      this.lineShown = true;
    } else if (Date.now() - this.lastPiped >= PIPE_EVERY_MS) {
      this.lastPiped = Date.now();
      console.log(text);
    }
  }
}
