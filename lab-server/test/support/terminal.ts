import WebSocket from 'ws';

/** Runs one line in the browser terminal (the commands the lab runs itself) and resolves with what it printed, colours removed. */
export async function terminalLine(labUrl: string, line: string): Promise<string> {
  const ws = new WebSocket(`${labUrl.replace('http', 'ws')}/lab/v1/console`);
  let out = '';
  try {
    return await new Promise<string>((resolve, reject) => {
      ws.on('error', reject);
      ws.on('message', (data) => {
        const m = JSON.parse(String(data)) as { type: string; text?: string };
        if (m.type === 'hello') ws.send(JSON.stringify({ type: 'run', line }));
        if (m.type === 'output') out += m.text;
        // biome-ignore lint/suspicious/noControlCharactersInRegex: the terminal's colours are ESC sequences
        if (m.type === 'done') resolve(out.replace(/\x1b\[[0-9;]*[A-Za-z]/g, ''));
      });
    });
  } finally {
    ws.close();
  }
}
