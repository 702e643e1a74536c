const HISTORY_KEY = 'shard-lab-terminal-history';
const HISTORY_MAX = 200;

export interface LineEditorHooks {
  write(text: string): void;
  submit(line: string): void;
  complete(lineUpToCursor: string): void;
  interrupt(): void;
}

/**
 * Line editing for the browser terminal: the lab's console is a command interpreter, not a PTY, so the
 * browser edits the line (cursor keys, history, Ctrl-C/U/A/E/L, Tab) and sends whole lines.
 */
export class LineEditor {
  private line = '';
  private cursor = 0;
  private history: string[] = loadHistory();
  /** Position while walking the history with ↑/↓; history.length means "the line being typed". */
  private recall = this.history.length;
  private draft = '';
  private prompt = '> ';
  /** A command is running: only Ctrl-C is taken. */
  busy = true;

  constructor(private readonly hooks: LineEditorHooks) {}

  showPrompt(prompt: string): void {
    this.prompt = prompt;
    this.busy = false;
    this.line = '';
    this.cursor = 0;
    this.recall = this.history.length;
    this.hooks.write(prompt);
  }

  /** Keystrokes (or pasted text) from the terminal. */
  input(data: string): void {
    let i = 0;
    while (i < data.length) {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts the terminal's key sequences (arrows, Home, End)
      const seq = /^\x1b(\[[0-9;]*[A-Za-z~]|O[A-Za-z])/.exec(data.slice(i));
      if (seq) {
        if (!this.busy) this.escape(seq[1]!);
        i += seq[0].length;
        continue;
      }
      const ch = data[i]!;
      i += 1;
      if (ch === '\x03') {
        this.interrupt();
        continue;
      }
      if (this.busy) continue;
      if (ch === '\r' || ch === '\n') {
        if (ch === '\n' && data[i - 2] === '\r') continue;
        this.submit();
      } else if (ch === '\x7f' || ch === '\b') {
        if (this.cursor > 0) this.edit(this.line.slice(0, this.cursor - 1) + this.line.slice(this.cursor), this.cursor - 1);
      } else if (ch === '\t') {
        this.hooks.complete(this.line.slice(0, this.cursor));
      } else if (ch === '\x15') {
        this.edit('', 0);
      } else if (ch === '\x01') {
        this.edit(this.line, 0);
      } else if (ch === '\x05') {
        this.edit(this.line, this.line.length);
      } else if (ch === '\x0c') {
        this.hooks.write('\x1b[2J\x1b[3J\x1b[H');
        this.redraw();
      } else if (ch >= ' ') {
        this.edit(this.line.slice(0, this.cursor) + ch + this.line.slice(this.cursor), this.cursor + 1);
      }
    }
  }

  /** The interpreter's completions for the word starting at `from`. */
  complete(from: number, options: string[]): void {
    if (this.busy || options.length === 0) return;
    const word = this.line.slice(from, this.cursor);
    const common = options.reduce((a, b) => {
      let n = 0;
      while (n < a.length && a[n] === b[n]) n++;
      return a.slice(0, n);
    });
    const rest = this.line.slice(this.cursor);
    if (options.length === 1) {
      const text = `${options[0]} `;
      this.edit(this.line.slice(0, from) + text + rest, from + text.length);
    } else if (common.length > word.length) {
      this.edit(this.line.slice(0, from) + common + rest, from + common.length);
    } else {
      this.hooks.write(`\r\n${options.join('  ')}\r\n`);
      this.redraw();
    }
  }

  private submit(): void {
    const line = this.line;
    this.hooks.write('\r\n');
    if (line.trim() && this.history.at(-1) !== line) {
      this.history.push(line);
      if (this.history.length > HISTORY_MAX) this.history.splice(0, this.history.length - HISTORY_MAX);
      saveHistory(this.history);
    }
    this.busy = true;
    this.line = '';
    this.cursor = 0;
    this.hooks.submit(line);
  }

  /** Ctrl-C: stops a running command; at the prompt, drops the line (the lab answers with a fresh prompt). */
  private interrupt(): void {
    if (!this.busy) {
      this.hooks.write('^C\r\n');
      this.busy = true;
      this.line = '';
      this.cursor = 0;
    }
    this.hooks.interrupt();
  }

  private escape(seq: string): void {
    const key = seq.at(-1);
    if (seq === '[3~') {
      if (this.cursor < this.line.length) this.edit(this.line.slice(0, this.cursor) + this.line.slice(this.cursor + 1), this.cursor);
    } else if (key === 'A') this.walkHistory(-1);
    else if (key === 'B') this.walkHistory(1);
    else if (key === 'C') this.edit(this.line, Math.min(this.line.length, this.cursor + 1));
    else if (key === 'D') this.edit(this.line, Math.max(0, this.cursor - 1));
    else if (key === 'H') this.edit(this.line, 0);
    else if (key === 'F') this.edit(this.line, this.line.length);
  }

  private walkHistory(step: number): void {
    const next = this.recall + step;
    if (next < 0 || next > this.history.length) return;
    if (this.recall === this.history.length) this.draft = this.line;
    this.recall = next;
    const text = next === this.history.length ? this.draft : this.history[next]!;
    this.edit(text, text.length);
  }

  private edit(line: string, cursor: number): void {
    this.line = line;
    this.cursor = cursor;
    this.redraw();
  }

  private redraw(): void {
    const back = this.line.length - this.cursor;
    this.hooks.write(`\r\x1b[K${this.prompt}${this.line}${back > 0 ? `\x1b[${back}D` : ''}`);
  }
}

function loadHistory(): string[] {
  try {
    const saved: unknown = JSON.parse(localStorage.getItem(HISTORY_KEY) ?? '[]');
    return Array.isArray(saved) ? saved.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

function saveHistory(history: string[]): void {
  try {
    localStorage.setItem(HISTORY_KEY, JSON.stringify(history));
  } catch {
    // Private mode or a full quota: history then lasts for this page only.
  }
}
