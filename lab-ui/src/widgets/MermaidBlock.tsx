import { useEffect, useState } from 'react';
import { messageOf } from '../api';
import { useOnScreen } from './common';
import { renderMermaid } from './mermaid';

/**
 * A ```mermaid block of a chapter, drawn (static diagrams, written in the chapter file). Mermaid loads when the
 * block comes near the screen; until it has drawn, or if the text does not parse, the source stays readable as code.
 */
export function MermaidBlock({ text }: { text: string }) {
  const [svg, setSvg] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [watch, onScreen] = useOnScreen();
  useEffect(() => {
    if (!onScreen) return;
    let current = true;
    renderMermaid(text).then(
      (out) => current && setSvg(out),
      (err: unknown) => current && setError(messageOf(err)),
    );
    return () => {
      current = false;
    };
  }, [text, onScreen]);
  if (!svg) {
    return (
      <pre ref={watch} className="mermaid-source" title={error ?? undefined}>
        <code>{text}</code>
      </pre>
    );
  }
  return (
    // biome-ignore lint/security/noDangerouslySetInnerHtml: Mermaid's SVG, rendered with securityLevel 'strict' from the chapter file's own text
    <div className="diagram static-diagram" role="img" aria-label={describe(text)} dangerouslySetInnerHTML={{ __html: svg }} />
  );
}

/** A screen reader's name for the drawing: the diagram's own words, without Mermaid's punctuation. */
const describe = (text: string) =>
  text
    .split('\n')
    .slice(1)
    .join(' ')
    .replace(/[[\]"()>|{}-]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
