import type { Address, Transport } from '../kafka/ports';
import type { SimScheduler } from './scheduler';
import type { SeededRandom } from './random';

export interface LinkOptions { minLatencyMs: number; maxLatencyMs: number; dropRate: number }

/** Faults on one link (both directions), on top of the network's own latency and drop rate. */
export interface LinkFaults {
  /** Chance that a message on this link is lost, in [0, 1]. */
  dropRate?: number;
  /** Up to this much added latency per message (uniform in [0, extraLatencyMs]); order on the link is kept. */
  extraLatencyMs?: number;
}

/**
 * The in-process network: per-link FIFO delivery after a seeded latency, messages
 * structured-cloned (buffers transferred when asked) exactly as a MessageChannel does, and
 * faults: a dead node neither sends nor receives, a cut link drops both ways, an isolated node
 * reaches no one (though it is alive: its peers learn of it only by timeouts), and a faulty link
 * loses or delays some messages. Random draws for faults happen only on faulty links, so a run
 * without them replays as before.
 */
export class SimNetwork {
  private readonly handlers = new Map<Address, (from: Address, message: unknown) => void>();
  private readonly up = new Set<Address>();
  private readonly lastDelivery = new Map<string, number>();
  private readonly cuts = new Set<string>();
  private readonly isolated = new Set<Address>();
  private readonly linkFaults = new Map<string, Required<LinkFaults>>();
  delivered = 0;
  dropped = 0;

  constructor(private readonly scheduler: SimScheduler, private readonly random: SeededRandom, readonly options: LinkOptions = { minLatencyMs: 1, maxLatencyMs: 3, dropRate: 0 }) {}

  /** Attaches a node. Each call makes a fresh transport: an old incarnation's handler is replaced. */
  attach(self: Address): Transport {
    this.up.add(self);
    const transport: Transport = {
      self,
      send: (to, message, transfer) => this.send(self, to, message, transfer, transport),
      onReceive: (handler) => {
        this.handlers.set(self, handler);
      },
      onPeerDown: (handler) => {
        this.peerDownHandlers.set(self, handler);
      },
    };
    this.current.set(self, transport);
    return transport;
  }
  private readonly current = new Map<Address, Transport>();
  private readonly peerDownHandlers = new Map<Address, (peer: Address) => void>();

  /** The node's process died: it stops sending and receiving until attached again. */
  detach(self: Address): void {
    this.up.delete(self);
    this.handlers.delete(self);
    this.current.delete(self);
    this.peerDownHandlers.delete(self);
    // Every peer learns at once, as from a TCP reset (delivered as a task, like any event).
    for (const [address, handler] of this.peerDownHandlers) this.scheduler.schedule(0, address, () => handler(self));
  }

  isUp(address: Address): boolean {
    return this.up.has(address);
  }

  cut(a: Address, b: Address): void {
    this.cuts.add(linkKey(a, b));
  }

  /** Every link of `node` drops both ways until heal() or rejoin(node); the node keeps running. */
  isolate(node: Address): void {
    this.isolated.add(node);
  }

  rejoin(node: Address): void {
    this.isolated.delete(node);
  }

  /** Sets (or, with zeros, clears) the faults of the link between a and b, both directions. */
  setLinkFaults(a: Address, b: Address, faults: LinkFaults): void {
    const full = { dropRate: faults.dropRate ?? 0, extraLatencyMs: faults.extraLatencyMs ?? 0 };
    if (full.dropRate <= 0 && full.extraLatencyMs <= 0) this.linkFaults.delete(linkKey(a, b));
    else this.linkFaults.set(linkKey(a, b), full);
  }

  clearLinkFaults(): void {
    this.linkFaults.clear();
  }

  /** Whether a message from a to b would be dropped by a cut or an isolation right now. */
  isBlocked(a: Address, b: Address): boolean {
    return this.cuts.has(linkKey(a, b)) || this.isolated.has(a) || this.isolated.has(b);
  }

  /** Ends every network fault: cuts, isolations and link faults. */
  heal(): void {
    this.cuts.clear();
    this.isolated.clear();
    this.linkFaults.clear();
  }

  private send(from: Address, to: Address, message: unknown, transfer: ArrayBuffer[] | undefined, sender: Transport): void {
    // A message sent by a dead incarnation (a promise that settled after the kill) goes nowhere.
    if (this.current.get(from) !== sender) return;
    const copy = structuredClone(message, transfer ? { transfer } : undefined);
    if (!this.up.has(to)) {
      // A connection to a dead process is refused at once, not silently lost.
      this.dropped++;
      const refused = this.peerDownHandlers.get(from);
      if (refused) this.scheduler.schedule(0, from, () => refused(to));
      return;
    }
    const faults = this.linkFaults.get(linkKey(from, to));
    if (this.isBlocked(from, to) || (this.options.dropRate > 0 && this.random.next() < this.options.dropRate) || (faults && faults.dropRate > 0 && this.random.next() < faults.dropRate)) {
      this.dropped++;
      return;
    }
    const { minLatencyMs, maxLatencyMs } = this.options;
    let latency = Math.round(minLatencyMs + this.random.next() * (maxLatencyMs - minLatencyMs));
    if (faults && faults.extraLatencyMs > 0) latency += Math.round(this.random.next() * faults.extraLatencyMs);
    const key = `${from}->${to}`;
    const at = Math.max(this.scheduler.now + latency, this.lastDelivery.get(key) ?? 0);
    this.lastDelivery.set(key, at);
    const receiver = this.handlers.get(to);
    this.scheduler.schedule(at - this.scheduler.now, to, () => {
      // Delivered only to the incarnation that was up when it was sent, and only if still not cut.
      if (this.handlers.get(to) !== receiver || !receiver || this.isBlocked(from, to)) {
        this.dropped++;
        return;
      }
      this.delivered++;
      receiver(from, copy);
    });
  }
}

const linkKey = (a: Address, b: Address): string => (a < b ? `${a}|${b}` : `${b}|${a}`);
