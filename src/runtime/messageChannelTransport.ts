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
  /**
   * Addresses across a network cut the host injected: nothing is sent to them and what they
   * send is dropped on arrival (also what was already queued on the port when the cut came).
   * Silently, as a partitioned network: no refusal, peers learn only by their timeouts.
   */
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

  /**
   * The host saw the peer's worker terminated: drop its route and fail what waits on it. Across
   * a cut no connection reset arrives, so then the route goes but no one is told: requests to
   * the peer time out, as they did while it lived.
   */
  peerDown(peer: Address): void {
    const port = this.routes.get(peer);
    if (!port) return;
    port.close();
    for (const [address, route] of this.routes) if (route === port) this.routes.delete(address);
    if (!this.blocked.has(peer)) this.peerDownHandler?.(peer);
  }

  /** Replaces the set of addresses across the cut; an empty list heals. */
  setBlocked(addresses: readonly Address[]): void {
    this.blocked.clear();
    for (const address of addresses) this.blocked.add(address);
  }

  onPeerDown(handler: (peer: Address) => void): void {
    this.peerDownHandler = handler;
  }

  send(to: Address, message: unknown, transfer?: ArrayBuffer[]): void {
    if (this.blocked.has(to)) return;
    const port = this.routes.get(to);
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
