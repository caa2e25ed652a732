import { MessageChannelTransport } from './messageChannelTransport';
import { ScaledClock, type TimeAnchor } from './scaledClock';
import { workerTime, type WorkerTimeApi } from './timeOps';

/** The part of a worker's API every worker (node or client application) answers the same way. */
export interface WorkerWiringApi extends WorkerTimeApi {
  connect(peer: string, port: MessagePort): void;
  /** A peer's worker was terminated. */
  peerDown(peer: string): void;
  /** Drops traffic to and from these addresses (a network cut); an empty list heals. */
  block(addresses: string[]): void;
}

/**
 * A worker's transport and clock, wired alike in node and client workers: connections that
 * arrive before start() are kept until then, and so is a cut the host sends a restarted worker
 * before it starts (it holds from the first message); the time controls act on both.
 */
export function workerWiring(): { api: WorkerWiringApi; start(address: string, anchor: TimeAnchor, latencyMs: number): { clock: ScaledClock; transport: MessageChannelTransport } } {
  let transport: MessageChannelTransport | null = null;
  let clock: ScaledClock | null = null;
  const early: [string, MessagePort][] = [];
  let blocked: string[] = [];
  const time = workerTime(() => ({ clock, transport }));
  return {
    start(address, anchor, latencyMs) {
      const c = new ScaledClock(anchor);
      const t = new MessageChannelTransport(address, c);
      clock = c;
      transport = t;
      time.apply(c, t, anchor, latencyMs);
      t.setBlocked(blocked);
      for (const [peer, port] of early.splice(0)) t.connect(peer, port);
      return { clock: c, transport: t };
    },
    api: {
      connect(peer, port) {
        if (transport) transport.connect(peer, port);
        else early.push([peer, port]);
      },
      peerDown(peer) {
        transport?.peerDown(peer);
      },
      setTime: (anchor) => time.setTime(anchor),
      setLatency: (ms) => time.setLatency(ms),
      held: () => time.held(),
      deliverOldest: () => time.deliverOldest(),
      block(addresses) {
        blocked = [...addresses];
        transport?.setBlocked(blocked);
      },
    },
  };
}
