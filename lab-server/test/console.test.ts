import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestLab, testRing, type TestLab } from './support/lab.js';

type Message = { type: string; text?: string; prompt?: string; banner?: string; options?: string[]; from?: number };

/** A terminal client: sends lines, collects what the console printed until the next prompt. */
class Term {
  private messages: Message[] = [];
  private waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)) as Message);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async open(url: string, headers: Record<string, string> = {}): Promise<Term> {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/lab/v1/console`, { headers });
    const term = new Term(ws);
    await term.next((m) => m.type === 'hello');
    return term;
  }

  private async next(match: (m: Message) => boolean): Promise<Message> {
    for (;;) {
      const i = this.messages.findIndex(match);
      if (i >= 0) return this.messages.splice(0, i + 1).at(-1)!;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Runs a line; returns the output (ANSI colours removed) and the prompt that followed. */
  async run(line: string): Promise<{ out: string; prompt: string }> {
    this.ws.send(JSON.stringify({ type: 'run', line }));
    let out = '';
    for (;;) {
      const m = await this.next(() => true);
      if (m.type === 'output') out += m.text;
      if (m.type === 'done') return { out: strip(out), prompt: strip(m.prompt!) };
    }
  }

  async complete(line: string): Promise<string[]> {
    this.ws.send(JSON.stringify({ type: 'complete', line }));
    return (await this.next((m) => m.type === 'completion')).options!;
  }

  close(): void {
    this.ws.close();
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the terminal's colours are ESC sequences
const strip = (s: string) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');

let t: TestLab;
let term: Term;
beforeAll(async () => {
  t = await startTestLab(2);
  term = await Term.open(t.url);
});
afterAll(async () => {
  term?.close();
  await t?.stop();
});

describe('the browser terminal’s console', () => {
  it('lists its commands, and refuses anything else (it is not a shell)', async () => {
    const help = await term.run('help');
    for (const c of ['shards', 'ring', 'route', 'migrate', 'loadtest', 'stats', 'sql <shard>']) expect(help.out).toContain(c);
    expect(help.prompt).toBe('lab> ');
    expect((await term.run('ls -la /')).out).toMatch(/Unknown command 'ls'.*not a shell/);
    expect((await term.run('rm -rf .')).out).toMatch(/Unknown command 'rm'/);
  });

  it('routes a key exactly as the ring does', async () => {
    const key = '00000000-0000-0000-0000-000000000001';
    const { out } = await term.run(`route ${key.toUpperCase()}`);
    const r = testRing(2).route(key);
    expect(out).toContain(key);
    expect(out).toContain(r.shard_name);
    expect(out).toContain(r.vnode!);
    expect((await term.run('route not-a-uuid')).out).toMatch(/not a UUID/);
  });

  it('shows shards, users per shard and the ring', async () => {
    expect((await term.run('shards')).out).toMatch(/shard-0 \| up.*\n.*shard-1 \| up/);
    await term.run('user create Ada Lovelace');
    expect((await term.run('stats')).out).toMatch(/total 1 users/);
    expect((await term.run('ring 4 150')).out).toMatch(/Going to 5 shards moves 16\.12 %/);
  });

  it('runs SQL on one shard in SQL mode, with psql-like meta commands, until \\q', async () => {
    const enter = await term.run('sql shard-1');
    expect(enter.prompt).toBe('shard-1=> ');
    const partial = await term.run('SELECT 6 * 7');
    expect(partial.prompt).toBe('shard-1-> ');
    const result = await term.run('AS answer;');
    expect(result.out).toMatch(/answer\n-+\n42\n\(1 row\)/);
    expect((await term.run('\\dt')).out).toContain('users');
    expect((await term.run('SELEC 1;')).out).toMatch(/syntax error/);
    expect((await term.run('\\q')).prompt).toBe('lab> ');
    expect((await term.run('sql shard-0 SELECT 1 AS one')).out).toMatch(/one\n-+\n1/);
    expect((await term.run('explain shard-0 SELECT * FROM users WHERE id = gen_random_uuid()')).out).toMatch(/Scan/);
  });

  it('completes command and shard names', async () => {
    expect(await term.complete('ro')).toEqual(['route']);
    expect((await term.complete('sh')).sort()).toEqual(['shard', 'shards']);
    expect(await term.complete('sql shard-')).toEqual(['shard-0', 'shard-1']);
    expect(await term.complete('migrate la')).toEqual(['latest']);
  });

  it('refuses a connection from another web site', async () => {
    const ws = new WebSocket(`${t.url.replace('http', 'ws')}/lab/v1/console`, { headers: { origin: 'https://evil.example' } });
    ws.on('error', () => undefined);
    const status = await new Promise<number>((resolve) =>
      ws.on('unexpected-response', (req, res) => {
        resolve(res.statusCode ?? 0);
        req.destroy();
      }),
    );
    expect(status).toBe(403);
    const same = await Term.open(t.url, { origin: t.url });
    expect((await same.run('help')).out).toContain('route');
    same.close();
  });
});
