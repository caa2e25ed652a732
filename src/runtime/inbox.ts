import type { Clock, TimerHandle } from '../kafka/ports';

/** A message that arrived, with the cluster time its sender stamped when it sent it. */
export interface Arrival { sentAt: number }

/**
 * Where a receiver keeps what arrived until it may be delivered: the playground's pause, step
 * and visual latency, applied at the receiving end of every link.
 *
 * - Playing with no latency: delivered at once (the queue stays empty, nothing is scheduled).
 * - Visual latency: a message is delivered at sentAt + latency on the cluster clock, so a record
 *   can be followed by eye (and slows down or stops with the clock).
 * - Paused: nothing is delivered, except one message by deliverOldest() (a step); on resume
 *   what is due is delivered, oldest send time first.
 *
 * A link (one MessagePort: one peer, or the page's clients) is FIFO, as MessageChannel and TCP
 * are: only the head of a link's queue is ever delivered, so a change of latency never lets a
 * later message overtake an earlier one on the same link. Different links are not ordered.
 */
export class Inbox<L, T extends Arrival> {
  private readonly queues = new Map<L, T[]>();
  private paused = false;
  private latencyMs = 0;
  private timer: TimerHandle | null = null;
  private timerDue = Infinity;

  constructor(private readonly clock: Clock, private readonly deliver: (item: T, link: L) => void) {}

  arrive(link: L, item: T): void {
    const queue = this.queues.get(link);
    if (!queue && !this.paused && this.latencyMs === 0) {
      this.deliver(item, link);
      return;
    }
    if (queue) queue.push(item);
    else this.queues.set(link, [item]);
    if (!this.paused && this.latencyMs === 0) this.deliverDue();
    else this.schedule();
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    if (paused) this.cancelTimer();
    else this.deliverDue();
  }

  /** Per-hop latency in cluster milliseconds (0: none). */
  setLatency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
    this.cancelTimer();
    if (!this.paused) this.deliverDue();
  }

  /** How many messages wait here. */
  held(): number {
    let count = 0;
    for (const queue of this.queues.values()) count += queue.length;
    return count;
  }

  /** The send time of the oldest message that could be delivered next (a link's head), or null. */
  oldest(): number | null {
    const head = this.oldestHead();
    return head ? head.queue[0].sentAt : null;
  }

  /** A step: delivers the oldest link head now, whatever its latency; returns it (null: nothing held). */
  deliverOldest(): T | null {
    const head = this.oldestHead();
    if (!head) return null;
    const item = this.shift(head.link, head.queue);
    this.deliver(item, head.link);
    if (!this.paused) this.schedule();
    return item;
  }

  /** The link is gone (its peer crashed or was reconnected): what waited on it is lost with it. */
  dropLink(link: L): void {
    this.queues.delete(link);
  }

  private oldestHead(): { link: L; queue: T[] } | null {
    let best: { link: L; queue: T[] } | null = null;
    for (const [link, queue] of this.queues) if (!best || queue[0].sentAt < best.queue[0].sentAt) best = { link, queue };
    return best;
  }

  private shift(link: L, queue: T[]): T {
    const item = queue.shift()!;
    if (queue.length === 0) this.queues.delete(link);
    return item;
  }

  /** Delivers every link head whose time has come, oldest first, then waits for the next one. */
  private deliverDue(): void {
    this.cancelTimer();
    for (;;) {
      if (this.paused) return;
      const head = this.oldestDueHead();
      if (!head) break;
      this.deliver(this.shift(head.link, head.queue), head.link);
    }
    this.schedule();
  }

  private oldestDueHead(): { link: L; queue: T[] } | null {
    const now = this.clock.now();
    let best: { link: L; queue: T[] } | null = null;
    for (const [link, queue] of this.queues) {
      // Without latency everything held is due, whatever the sender's clock said (workers' clocks differ by a hair).
      if (this.latencyMs > 0 && queue[0].sentAt + this.latencyMs > now) continue;
      if (!best || queue[0].sentAt < best.queue[0].sentAt) best = { link, queue };
    }
    return best;
  }

  private schedule(): void {
    if (this.paused || this.latencyMs === 0) return;
    let due = Infinity;
    for (const queue of this.queues.values()) due = Math.min(due, queue[0].sentAt + this.latencyMs);
    if (due === Infinity || due >= this.timerDue) return;
    this.cancelTimer();
    this.timerDue = due;
    this.timer = this.clock.setTimer(Math.max(0, due - this.clock.now()), () => {
      this.timer = null;
      this.timerDue = Infinity;
      this.deliverDue();
    });
  }

  private cancelTimer(): void {
    this.timer?.cancel();
    this.timer = null;
    this.timerDue = Infinity;
  }
}
