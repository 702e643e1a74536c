/**
 * A line of text from a chapter's data or a check's answer, with `backticks` shown as code: hints and check
 * messages name commands (`user create Ada Lovelace`) and are not worth a whole Markdown renderer each.
 */
export function InlineText({ text }: { text: string }) {
  const parts = text.split(/`([^`]+)`/);
  // split with one capture group alternates: text, code, text, code, …
  return <>{parts.map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : part))}</>;
}
