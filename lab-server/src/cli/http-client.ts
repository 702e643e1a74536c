import { LabUnreachableError, type LabClient, type LabReply } from '../commands/command.js';

const READ_TIMEOUT_MS = 60_000;

/** Where the CLI finds a running lab: LAB_URL, else the default address of `make dev`. */
export function labUrl(): string {
  return (process.env.LAB_URL ?? `http://127.0.0.1:${process.env.PORT ?? 8080}`).replace(/\/$/, '');
}

/**
 * The CLI's way to the lab: its HTTP API at LAB_URL. Sends `Authorization: Bearer $LAB_TOKEN` when set (a lab
 * bound beyond loopback requires it), and every state-changing request as JSON (`{}` when it has no
 * arguments), which is what the lab accepts from other origins' point of view: never a form post.
 */
export class HttpLabClient implements LabClient {
  constructor(
    readonly base: string = labUrl(),
    private readonly token: string | undefined = process.env.LAB_TOKEN || undefined,
  ) {}

  async call(method: string, path: string, body?: unknown): Promise<LabReply> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const hasBody = method !== 'GET' && method !== 'HEAD';
    if (hasBody) headers['content-type'] = 'application/json';
    // A read answers in moments; one that does not is on a connection that went nowhere (a process that let go of
    // the port meanwhile), and a job's progress polls try again. A change may rightly take minutes: it waits.
    const signal = hasBody ? undefined : AbortSignal.timeout(READ_TIMEOUT_MS);
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${this.base}${path}`, { method, headers, body: hasBody ? JSON.stringify(body ?? {}) : undefined, signal });
      text = await res.text();
    } catch {
      if (signal?.aborted) throw new LabUnreachableError(`The lab at ${this.base} did not answer ${method} ${path} within ${READ_TIMEOUT_MS / 1000} s.`);
      throw new LabUnreachableError(`The lab is not running at ${this.base}. Start it with 'make dev' (or set LAB_URL).`);
    }
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // Not JSON (a proxy's error page, another server on the port): keep the text for the error message.
      parsed = { error: { code: 'not_json', message: text.slice(0, 200) } };
    }
    return { status: res.status, body: parsed };
  }
}
