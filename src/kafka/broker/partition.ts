import type { Clock, EventSink, TimerHandle } from '../ports';
import { KafkaProtocolError } from '../protocol/errors';
import type { UnifiedLog, AppendInfo } from '../storage/unifiedLog';
import type { PartitionRegistration } from '../metadata/image';

interface HighWatermarkWaiter { offset: number; resolve: (reached: boolean) => void; timer: TimerHandle | null }

/**
 * One replica of a partition on this broker, as Kafka's Partition: its log, whether it leads,
 * the leader epoch, the ISR it was given by the controller, and the high watermark: the
 * offset below which every ISR member has the records, the only part consumers may read.
 */
export class Partition {
  role: 'leader' | 'follower' | 'none' = 'none';
  leader = -1;
  leaderEpoch = -1;
  replicas: number[] = [];
  isr: number[] = [];
  topicId = '';
  private _highWatermark = 0;
  /** Log end offsets of followers, as reported by their Fetch requests (replication fills this). */
  readonly followerLogEndOffsets = new Map<number, number>();
  private readonly waiters = new Set<HighWatermarkWaiter>();

  constructor(readonly log: UnifiedLog, private readonly brokerId: number, private readonly node: string, private readonly clock: Clock, private readonly events: EventSink) {
    this._highWatermark = log.logStartOffset;
  }

  get topic(): string {
    return this.log.topic;
  }
  get partition(): number {
    return this.log.partition;
  }
  get highWatermark(): number {
    return this._highWatermark;
  }

  /** Applies the controller's view of this partition (from the metadata image). */
  applyRegistration(registration: PartitionRegistration): void {
    const changed = registration.leader !== this.leader || registration.leaderEpoch !== this.leaderEpoch || registration.isr.join() !== this.isr.join();
    this.topicId = registration.topicId;
    this.leader = registration.leader;
    this.leaderEpoch = registration.leaderEpoch;
    this.replicas = registration.replicas;
    this.isr = registration.isr;
    this.role = registration.leader === this.brokerId ? 'leader' : this.replicas.includes(this.brokerId) ? 'follower' : 'none';
    // Follower positions reported to an earlier leader epoch say nothing about this one.
    if (changed) this.followerLogEndOffsets.clear();
    if (this.role === 'leader') this.maybeIncrementHighWatermark();
    if (changed) this.reportOffsets();
  }

  /** Appends as leader. The caller has checked leadership and min.insync.replicas. */
  async appendAsLeader(records: Uint8Array): Promise<AppendInfo> {
    let epoch = this.leaderEpoch;
    // Checked when the write's turn comes, not when it was queued: leadership may have moved meanwhile.
    const info = await this.log.appendAsLeader(records, () => {
      if (this.role !== 'leader') throw new KafkaProtocolError('NOT_LEADER_OR_FOLLOWER', `broker ${this.brokerId} is not the leader of ${this.log.name}`);
      epoch = this.leaderEpoch;
      return epoch;
    });
    this.events({
      type: 'log-append', time: this.clock.now(), node: this.node, topic: this.topic, partition: this.partition,
      baseOffset: info.firstOffset, lastOffset: info.lastOffset, records: info.records, bytes: info.bytes, leaderEpoch: epoch,
      compression: info.batches[0].header.compression,
    });
    this.maybeIncrementHighWatermark();
    this.reportOffsets();
    return info;
  }

  /** HW = the smallest log end offset in the ISR; never moves backwards on a leader. */
  maybeIncrementHighWatermark(): void {
    if (this.role !== 'leader') return;
    let candidate = this.log.logEndOffset;
    for (const id of this.isr) {
      if (id === this.brokerId) continue;
      candidate = Math.min(candidate, this.followerLogEndOffsets.get(id) ?? this._highWatermark);
    }
    if (candidate > this._highWatermark) {
      this._highWatermark = candidate;
      for (const waiter of this.waiters) {
        if (waiter.offset <= candidate) this.finishWaiter(waiter, true);
      }
    }
  }

  /** Resolves true once the high watermark reaches `offset`, false after timeoutMs (or null: only on a change). */
  waitForHighWatermark(offset: number, timeoutMs: number | null): Promise<boolean> {
    if (this._highWatermark >= offset) return Promise.resolve(true);
    if (this.role !== 'leader') return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter: HighWatermarkWaiter = { offset, resolve, timer: null };
      if (timeoutMs !== null) waiter.timer = this.clock.setTimer(timeoutMs, () => this.finishWaiter(waiter, false));
      this.waiters.add(waiter);
    });
  }

  /** Wakes everyone waiting on this partition: it was deleted, or this replica stopped leading. */
  abortWaiters(): void {
    for (const waiter of this.waiters) this.finishWaiter(waiter, false);
  }

  private finishWaiter(waiter: HighWatermarkWaiter, reached: boolean): void {
    if (!this.waiters.delete(waiter)) return;
    waiter.timer?.cancel();
    waiter.resolve(reached);
  }

  reportOffsets(): void {
    this.events({
      type: 'partition-offsets', time: this.clock.now(), node: this.node, topic: this.topic, partition: this.partition,
      logStartOffset: this.log.logStartOffset, logEndOffset: this.log.logEndOffset, highWatermark: this._highWatermark,
      leaderEpoch: this.leaderEpoch, role: this.role,
    });
  }
}
