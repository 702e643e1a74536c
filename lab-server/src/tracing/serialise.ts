import { inSpanSync } from './tracing.js';

/**
 * `JSON.stringify` as a `serialise JSON` span of a traced request, so the latency breakdown can tell building
 * the reply's text from the handler's own work; untraced, it costs one context lookup.
 */
export function serialiseJson(value: unknown): string {
  return inSpanSync(
    'serialise JSON',
    () => JSON.stringify(value),
    (text, span) => span.setAttribute('http.response.body.size', Buffer.byteLength(text ?? '')),
  );
}
