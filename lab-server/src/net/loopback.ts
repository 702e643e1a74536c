/** This machine's own names: what the lab may be reached by without a token. */
export const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '::1'];

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.includes(unbracket(host)) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** An IPv6 address as written in a URL or Host header (`[::1]`) without its brackets. */
export function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
