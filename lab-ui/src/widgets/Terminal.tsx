import { useEffect, useRef, useState } from 'react';
import type { ConsoleClientMessage, ConsoleServerMessage } from '../../../lab-server/src/console/protocol';
import { Panel, useOnScreen } from './common';
import { LineEditor } from './terminal/line-editor';
import { wrapToColumns } from './terminal/wrap';

const RECONNECT_MS = 2000;

async function loadXterm() {
  const [{ Terminal }, { FitAddon }] = await Promise.all([import('@xterm/xterm'), import('@xterm/addon-fit'), import('@xterm/xterm/css/xterm.css')]);
  return { Terminal, FitAddon };
}

/**
 * xterm.js over a WebSocket to the lab's command interpreter (`/lab/v1/console`): never a shell on this machine.
 * Lines are edited here and sent whole; Esc leaves the terminal so the keyboard can move on.
 */
export function TerminalView({ height = 280, command }: { height?: number; command?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<'loading' | 'connecting' | 'open' | 'closed'>('loading');
  const [attach, onScreen] = useOnScreen(box);

  useEffect(() => {
    if (!onScreen) return;
    let disposed = false;
    let socket: WebSocket | null = null;
    let retry: ReturnType<typeof setTimeout> | null = null;
    let cleanup = (): void => undefined;

    void loadXterm().then(({ Terminal, FitAddon }) => {
      if (disposed || !box.current) return;
      const term = new Terminal({
        fontSize: 13,
        fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
        cursorBlink: true,
        convertEol: false,
        scrollback: 2000,
        // WCAG AA: xterm lifts any colour (dim text included) to 4.5:1 against the background.
        minimumContrastRatio: 4.5,
        theme: { background: '#14181f', foreground: '#e6e6e6', cursor: '#e6e6e6' },
      });
      const fit = new FitAddon();
      term.loadAddon(fit);
      term.open(box.current);
      fit.fit();
      const write = (text: string) => term.write(text.replace(/\r?\n/g, '\r\n'));
      const send = (m: ConsoleClientMessage) => socket?.readyState === WebSocket.OPEN && socket.send(JSON.stringify(m));
      const editor = new LineEditor({
        write: (t) => term.write(t),
        submit: (line) =>
          socket?.readyState === WebSocket.OPEN ? send({ type: 'run', line }) : (write('Not connected; reconnecting…\n'), editor.showPrompt('> ')),
        complete: (line) => send({ type: 'complete', line }),
        interrupt: () => send({ type: 'interrupt' }),
      });
      term.attachCustomKeyEventHandler((e) => {
        if (e.type === 'keydown' && e.key === 'Escape') {
          term.blur();
          return false;
        }
        return true;
      });
      const input = term.onData((d) => editor.input(d));
      const resize = new ResizeObserver(() => fit.fit());
      resize.observe(box.current);

      const connect = () => {
        setState('connecting');
        socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/lab/v1/console`);
        socket.onopen = () => setState('open');
        socket.onmessage = (e) => {
          const m = JSON.parse(String(e.data)) as ConsoleServerMessage;
          if (m.type === 'hello') {
            write(wrapToColumns(m.banner, term.cols));
            if (command) {
              write(`${m.prompt}${command}\n`);
              editor.busy = true;
              send({ type: 'run', line: command });
            } else editor.showPrompt(m.prompt);
          } else if (m.type === 'output') write(wrapToColumns(m.text, term.cols));
          else if (m.type === 'done') editor.showPrompt(m.prompt);
          else if (m.type === 'completion') editor.complete(m.from, m.options);
          else if (m.type === 'error') write(`\x1b[31m${m.message}\x1b[0m\n`);
        };
        socket.onclose = () => {
          if (disposed) return;
          setState('closed');
          write('\n\x1b[33m[the lab closed the terminal; reconnecting…]\x1b[0m\n');
          retry = setTimeout(connect, RECONNECT_MS);
        };
      };
      connect();
      cleanup = () => {
        input.dispose();
        resize.disconnect();
        term.dispose();
      };
    });

    return () => {
      disposed = true;
      if (retry) clearTimeout(retry);
      socket?.close();
      cleanup();
    };
  }, [command, onScreen]);

  return (
    <div className="terminal-wrap" data-state={state}>
      <div
        className="terminal"
        ref={attach}
        style={{ height }}
        aria-label="Lab terminal: type help and press Enter. Esc leaves the terminal."
        role="application"
      />
      <p className="muted small">
        {state === 'open' ? 'Connected to the lab console.' : state === 'closed' ? 'Disconnected; reconnecting…' : 'Connecting…'} Esc leaves the terminal; Tab
        completes; ↑/↓ recall history.
      </p>
    </div>
  );
}

export default function Terminal({ attrs }: { attrs: Record<string, string> }) {
  return (
    <Panel title="Terminal" className="terminal-panel">
      <TerminalView height={attrs.height ? Number(attrs.height) : 280} {...(attrs.command ? { command: attrs.command } : {})} />
    </Panel>
  );
}
