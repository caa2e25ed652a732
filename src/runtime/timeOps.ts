import type { Envelope, MessageChannelTransport } from './messageChannelTransport';
import type { Inbox } from './inbox';
import type { ScaledClock, TimeAnchor } from './scaledClock';

/** What a worker holds for the host's step: how many messages, and the send time of the oldest. */
export interface HeldSummary { count: number; oldest: number | null }

/** The message a step delivered. */
export interface SteppedMessage { from: string; to: string; sentAt: number }

/** The host's time controls, as every worker (node or client) answers them. */
export interface WorkerTimeApi {
  /** The cluster clock's anchor; speed 0 pauses timers and holds every arriving message. */
  setTime(anchor: TimeAnchor): void;
  /** Per-hop network latency in cluster milliseconds added before delivery (0: none). */
  setLatency(ms: number): void;
  held(): HeldSummary;
  /** Delivers the oldest held message (a step); null when none is held. */
  deliverOldest(): SteppedMessage | null;
}

/** What an inbox of envelopes holds, and its step: for a worker's transport and the page's hub alike. */
export function inboxStep(inbox: Inbox<MessagePort, Envelope> | null | undefined): Pick<WorkerTimeApi, 'held' | 'deliverOldest'> {
  return {
    held: () => ({ count: inbox?.held() ?? 0, oldest: inbox?.oldest() ?? null }),
    deliverOldest() {
      const envelope = inbox?.deliverOldest();
      return envelope ? { from: envelope.from, to: envelope.to, sentAt: envelope.sentAt } : null;
    },
  };
}

/**
 * The time controls over a worker's clock and transport, which exist once start() ran; before
 * that the latest settings are kept and applied by `apply`.
 */
export function workerTime(parts: () => { clock: ScaledClock | null; transport: MessageChannelTransport | null }): WorkerTimeApi & { apply(clock: ScaledClock, transport: MessageChannelTransport, anchor: TimeAnchor, latencyMs: number): void } {
  let anchor: TimeAnchor | null = null;
  let latency: number | null = null;
  return {
    apply(clock, transport, initAnchor, initLatency) {
      // The newer of the two: a setTime may have come before start().
      const now = anchor && anchor.wallMs > initAnchor.wallMs ? anchor : initAnchor;
      clock.setAnchor(now);
      transport.inbox.setLatency(latency ?? initLatency);
      transport.inbox.setPaused(now.speed <= 0);
    },
    setTime(next) {
      anchor = next;
      const { clock, transport } = parts();
      clock?.setAnchor(next);
      transport?.inbox.setPaused(next.speed <= 0);
    },
    setLatency(ms) {
      latency = ms;
      parts().transport?.inbox.setLatency(ms);
    },
    held: () => inboxStep(parts().transport?.inbox).held(),
    deliverOldest: () => inboxStep(parts().transport?.inbox).deliverOldest(),
  };
}
