import { useEffect, useState } from 'react';
import { messageOf } from '../api';
import { renderMermaid } from '../widgets/mermaid';

/** A ```mermaid fence in a chapter: a static diagram, drawn by the same (lazily loaded) Mermaid as the live ones. */
export function MermaidBlock({ text }: { text: string }) {
  const [svg, setSvg] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    renderMermaid(text).then(
      (out) => current && setSvg(out),
      (err: unknown) => current && setError(messageOf(err)),
    );
    return () => {
      current = false;
    };
  }, [text]);
  if (error) return <pre className="error">{`Diagram: ${error}\n\n${text}`}</pre>;
  return (
    <div
      className="diagram"
      role="img"
      aria-label={text
        .split('\n')
        .slice(1)
        .join(' ')
        .replace(/[[\]"()>-]+/g, ' ')}
    >
      {/* biome-ignore lint/security/noDangerouslySetInnerHtml: Mermaid's SVG, rendered with securityLevel 'strict' from the chapter's own text */}
      {svg ? <div dangerouslySetInnerHTML={{ __html: svg }} /> : <p className="muted">Drawing…</p>}
    </div>
  );
}
