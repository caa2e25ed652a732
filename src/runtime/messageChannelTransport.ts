import type { Address, Clock, Transport } from '../kafka/ports';
import { Inbox } from './inbox';

/**
 * What travels on every port: the envelope names both ends, so one port can carry many clients,
 * and carries the cluster time it was sent at (for visual latency, and for step: the oldest
 * message held anywhere is delivered first).
 */
export interface Envelope { from: Address; to: Address; message: unknown; sentAt: number }

/** Wall milliseconds, for a transport made without the cluster's clock (unit tests). */
export const wallClock: Clock = {
  now: () => performance.now(),
  setTimer: (delayMs, callback) => {
    const handle = setTimeout(callback, delayMs);
    return { cancel: () => clearTimeout(handle) };
  },
};

/**
 * Transport over MessagePorts. Each peer is reached through a port the host handed over;
 * a port may carry several addresses (the main thread's clients share one port per broker),
 * so routes are learnt from the envelopes that arrive. FIFO per port, as MessageChannel is.
 * Messages for an address with no route are dropped, as on a network with no path.
 * Arrivals pass through an Inbox: held while the playground is paused, delayed by the visual
 * latency, one at a time by a step.
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
  /** What arrived and waits for play, its latency, or a step; per port (a link), FIFO. */
  readonly inbox: Inbox<MessagePort, Envelope>;

  constructor(readonly self: Address, private readonly clock: Clock = wallClock) {
    this.inbox = new Inbox(clock, (envelope) => {
      // A cut made while the message waited drops it, as one already on the port when the cut came.
      if (this.blocked.has(envelope.from)) return;
      this.handler?.(envelope.from, envelope.message);
    });
  }

  connect(peer: Address, port: MessagePort): void {
    const old = this.routes.get(peer);
    if (old && old !== port) {
      old.close();
      this.inbox.dropLink(old);
    }
    this.routes.set(peer, port);
    port.onmessage = (event: MessageEvent<Envelope>) => {
      const envelope = event.data;
      if (!envelope || this.blocked.has(envelope.from)) return;
      if (envelope.to !== this.self) return;
      if (!this.routes.has(envelope.from)) this.routes.set(envelope.from, port);
      this.inbox.arrive(port, envelope);
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
    // Its connection is reset: what it sent and this node has not yet delivered is lost.
    this.inbox.dropLink(port);
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
    const envelope: Envelope = { from: this.self, to, message, sentAt: this.clock.now() };
    port.postMessage(envelope, transfer ?? []);
  }

  onReceive(handler: (from: Address, message: unknown) => void): void {
    this.handler = handler;
  }
}
