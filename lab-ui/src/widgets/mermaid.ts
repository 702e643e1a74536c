type Mermaid = typeof import('mermaid').default;

let loading: Promise<Mermaid> | null = null;
let seq = 0;

/** Mermaid loads on first use (it is most of the UI's bytes), in strict mode: labels are text, never script. */
function load(): Promise<Mermaid> {
  loading ??= import('mermaid').then(({ default: mermaid }) => {
    mermaid.initialize({
      startOnLoad: false,
      securityLevel: 'strict',
      theme: 'neutral',
      fontFamily: 'inherit',
      flowchart: { htmlLabels: true, curve: 'basis' },
    });
    return mermaid;
  });
  return loading;
}

/**
 * Renders a diagram to SVG text. Each render gets a fresh id (reusing one corrupts Mermaid's per-id state),
 * and the scratch element Mermaid leaves in the document on an error is removed.
 */
export async function renderMermaid(text: string): Promise<string> {
  const mermaid = await load();
  const id = `mermaid-${++seq}`;
  try {
    return (await mermaid.render(id, text)).svg;
  } finally {
    document.getElementById(id)?.remove();
    document.getElementById(`d${id}`)?.remove();
  }
}
