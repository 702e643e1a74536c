/** A response body as JSON when it is JSON, else the text itself (shared by the lab's own client and the browser lab). */
export function parseJsonText(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
