import { Children, isValidElement, type ReactNode } from 'react';
import ReactMarkdown, { type Components } from 'react-markdown';
import remarkDirective from 'remark-directive';
import remarkGfm from 'remark-gfm';
import { CALLOUTS, EXERCISE } from '../../../lab-server/src/chapters/directives';
import { Widget } from '../widgets/registry';
import { Exercise } from './Exercise';
import { MermaidBlock } from './MermaidBlock';

interface MdNode {
  type: string;
  name?: string;
  attributes?: Record<string, string | null | undefined> | null;
  children?: MdNode[];
  value?: string;
  data?: Record<string, unknown>;
}

/**
 * Turns `::widget{…}` and `:::container{…}` into elements the renderer below recognises. A `:word` in running
 * text is not a lab directive: it is put back as the text it was.
 */
function labDirectives() {
  const visit = (node: MdNode) => {
    if (node.type === 'containerDirective' || node.type === 'leafDirective') {
      node.data = { ...node.data, hName: 'div', hProperties: { dataDirective: node.name, dataAttrs: JSON.stringify(node.attributes ?? {}) } };
    } else if (node.type === 'textDirective') {
      const label = node.children?.length ? [{ type: 'text', value: '[' }, ...node.children, { type: 'text', value: ']' }] : [];
      node.data = { ...node.data, hName: 'span' };
      node.children = [{ type: 'text', value: `:${node.name}` }, ...label];
    }
    node.children?.forEach(visit);
  };
  return (tree: MdNode) => visit(tree);
}

const components: Components = {
  div({ node: _node, children, ...props }) {
    const p = props as Record<string, unknown>;
    const name = p['data-directive'];
    if (typeof name !== 'string') return <div {...props}>{children}</div>;
    const attrs = JSON.parse(String(p['data-attrs'] ?? '{}')) as Record<string, string>;
    if (name === EXERCISE) return <Exercise id={attrs.id ?? ''}>{children}</Exercise>;
    if ((CALLOUTS as readonly string[]).includes(name)) {
      return (
        <aside className={`callout callout-${name}`} aria-label={name}>
          {children}
        </aside>
      );
    }
    return <Widget name={name} attrs={attrs} />;
  },
  pre({ node: _node, children, ...props }) {
    const code = Children.toArray(children)[0];
    if (isValidElement<{ className?: string; children?: ReactNode }>(code) && code.props.className === 'language-mermaid') {
      return <MermaidBlock text={String(code.props.children).trimEnd()} />;
    }
    return <pre {...props}>{children}</pre>;
  },
  table({ node: _node, ...props }) {
    return (
      <div className="table-wrap">
        <table {...props} />
      </div>
    );
  },
  a({ node: _node, href, children, ...props }) {
    const external = href?.startsWith('http');
    return (
      <a href={href} {...props} {...(external ? { target: '_blank', rel: 'noreferrer' } : {})}>
        {children}
      </a>
    );
  },
  h2({ node: _node, children, ...props }) {
    return (
      <h2 id={slug(children)} {...props}>
        {children}
      </h2>
    );
  },
};

function slug(children: ReactNode): string {
  const text = Children.toArray(children)
    .map((c) => (typeof c === 'string' ? c : isValidElement(c) ? '' : ''))
    .join('');
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

export function Markdown({ text }: { text: string }) {
  return (
    <ReactMarkdown remarkPlugins={[remarkGfm, remarkDirective, labDirectives]} components={components}>
      {text}
    </ReactMarkdown>
  );
}
