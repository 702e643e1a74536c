import { EventEmitter } from 'node:events';

/**
 * One stream of everything that changes in the lab, multiplexed on named channels, so a browser tab needs
 * a single connection (browsers allow only 6 HTTP/1.1 streams per site). Features publish; SSE clients
 * (GET /lab/v1/events) subscribe. Channels: `topology`, `job`, `settings`, `metrics`, `loadtest`.
 */
export interface LabEvent {
  channel: string;
  data: unknown;
}

export class EventHub {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Every open browser tab is a listener; the default limit of 10 would warn for no reason.
    this.emitter.setMaxListeners(0);
  }

  publish(channel: string, data: unknown): void {
    this.emitter.emit('event', { channel, data } satisfies LabEvent);
  }

  subscribe(listener: (event: LabEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}
