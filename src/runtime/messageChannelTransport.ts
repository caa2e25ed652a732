import type { Address, Transport } from '../kafka/ports';

/** What travels on every port: the envelope names both ends, so one port can carry many clients. */
export interface Envelope { from: Address; to: Address; message: unknown }

/**
 * Transport over MessagePorts. Each peer is reached through a port the host handed over;
 * a port may carry several addresses (the main thread's clients share one port per broker),
 * so routes are learnt from the envelopes that arrive. FIFO per port, as MessageChannel is.
 * Messages for an address with no route are dropped, as on a network with no path.
 */
export class MessageChannelTransport implements Transport {
  private readonly routes = new Map<Address, MessagePort>();
  private handler: ((from: Address, message: unknown) => void) | null = null;
  private peerDownHandler: ((peer: Address) => void) | null = null;
  /** Addresses whose traffic is dropped both ways (a network cut injected by the host). */
  readonly blocked = new Set<Address>();

  constructor(readonly self: Address) {}

  connect(peer: Address, port: MessagePort): void {
    const old = this.routes.get(peer);
    if (old && old !== port) old.close();
    this.routes.set(peer, port);
    port.onmessage = (event: MessageEvent<Envelope>) => {
      const envelope = event.data;
      if (!envelope || this.blocked.has(envelope.from)) return;
      if (envelope.to !== this.self) return;
      if (!this.routes.has(envelope.from)) this.routes.set(envelope.from, port);
      this.handler?.(envelope.from, envelope.message);
    };
  }

  /** The host saw the peer's worker terminated: drop its route and fail what waits on it. */
  peerDown(peer: Address): void {
    const port = this.routes.get(peer);
    if (!port) return;
    port.close();
    for (const [address, route] of this.routes) if (route === port) this.routes.delete(address);
    this.peerDownHandler?.(peer);
  }

  onPeerDown(handler: (peer: Address) => void): void {
    this.peerDownHandler = handler;
  }

  send(to: Address, message: unknown, transfer?: ArrayBuffer[]): void {
    const port = this.routes.get(to);
    if (this.blocked.has(to)) return;
    if (!port) {
      // No route: the peer's worker is down, so the connection is refused at once.
      queueMicrotask(() => this.peerDownHandler?.(to));
      return;
    }
    const envelope: Envelope = { from: this.self, to, message };
    port.postMessage(envelope, transfer ?? []);
  }

  onReceive(handler: (from: Address, message: unknown) => void): void {
    this.handler = handler;
  }
}
