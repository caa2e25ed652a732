import type { Clock, EventSink, MetaStore, TimerHandle } from '../ports';
import { KafkaProtocolError, asKafkaError, errorName, type ErrorName } from '../protocol/errors';
import type { AlterPartitionResponse } from '../protocol/messages';
import type { UnifiedLog, AppendInfo } from '../storage/unifiedLog';
import type { PartitionRegistration } from '../metadata/image';
import { LeaderEpochCache, type EpochEndOffset, type EpochEntry } from '../storage/leaderEpochCache';
import { ProducerStateManager } from '../storage/producerStateManager';
import { SerialQueue } from '../common/serial';

export type AlterPartitionResult = AlterPartitionResponse['topics'][number]['partitions'][number];

/** What a replica needs from its broker. */
export interface PartitionContext {
  brokerId: number;
  node: string;
  clock: Clock;
  events: EventSink;
  metaStore: MetaStore;
  replicaLagTimeMaxMs: number;
  /** Whether a broker may join the ISR: registered and not fenced. */
  isBrokerEligible(id: number): boolean;
  /** Sends AlterPartition to the controller; resolves with this partition's result. */
  alterPartition(partition: Partition, newIsr: number[]): Promise<AlterPartitionResult>;
}

/** Kafka's ReplicaState, as the leader sees a follower. -1: unknown in this leader epoch. */
interface FollowerState { logEndOffset: number; lastCaughtUpTimeMs: number; lastFetchLeaderLogEndOffset: number; lastFetchTimeMs: number }

interface Waiter { ready: () => boolean; resolve: (ready: boolean) => void; timer: TimerHandle | null }

const epochCheckpointKey = (name: string): string => `leader-epoch-checkpoint/${name}`;
/** Kafka's log-start-offset-checkpoint: the log start may lie inside the first stored batch, or past an emptied log. */
const logStartCheckpointKey = (name: string): string => `log-start-offset-checkpoint/${name}`;

/** Forgets a partition's checkpoints (its replica was deleted, or its topic re-created under the same name). */
export async function deletePartitionCheckpoints(metaStore: MetaStore, name: string): Promise<void> {
  await metaStore.delete(epochCheckpointKey(name));
  await metaStore.delete(logStartCheckpointKey(name));
}

/**
 * One replica of a partition on this broker, as Kafka's Partition: its log, whether it leads,
 * the leader epoch and its cache, the ISR, and the high watermark: the offset below which every
 * ISR member has the records, the only part consumers may read.
 *
 * As leader it tracks each follower's log end offset from its Fetch requests, and asks the
 * controller (AlterPartition) to add a follower that caught up or drop one that lagged for
 * replica.lag.time.max.ms. As follower it is written only by the replica fetcher.
 */
export class Partition {
  role: 'leader' | 'follower' | 'none' = 'none';
  leader = -1;
  leaderEpoch = -1;
  partitionEpoch = -1;
  replicas: number[] = [];
  /** The ISR as committed by the controller. */
  isr: number[] = [];
  topicId = '';
  /** An ISR change sent to the controller and not yet answered. */
  private pendingIsr: number[] | null = null;
  /** The log end offset when this replica became leader: a follower must reach it to join the ISR. */
  private leaderEpochStartOffset = 0;
  private _highWatermark = 0;
  private readonly followers = new Map<number, FollowerState>();
  private readonly waiters = new Set<Waiter>();
  /** Set when the leader changes: the fetcher must reconcile the log with the new leader first (KIP-101). */
  needsTruncation = false;
  /**
   * Idempotent producers' last sequences, kept on followers too so a new leader knows them.
   * Persisted with the log: the batch headers carry producer id, epoch and sequences.
   */
  readonly producers = new ProducerStateManager();

  private constructor(readonly log: UnifiedLog, readonly epochs: LeaderEpochCache, private readonly ctx: PartitionContext) {
    this._highWatermark = log.logStartOffset;
  }

  /** A replica over a recovered (or new) log, with its leader epoch cache from the checkpoint and the batches. */
  static async open(log: UnifiedLog, ctx: PartitionContext): Promise<Partition> {
    const logStart = await ctx.metaStore.get<number>(logStartCheckpointKey(log.name));
    if (logStart !== undefined && logStart > log.logStartOffset) await log.deleteBefore(logStart);
    const checkpoint = (await ctx.metaStore.get<EpochEntry[]>(epochCheckpointKey(log.name))) ?? [];
    const epochs = new LeaderEpochCache(checkpoint);
    // The checkpoint may be behind the log (a crash between the two writes) or ahead of it (a
    // truncated tail): the batches' own leader epochs settle it.
    let changed = epochs.truncateFromEnd(log.logEndOffset);
    for (const batch of log.batchesFrom(log.logStartOffset)) changed = epochs.assign(batch.header.partitionLeaderEpoch, batch.baseOffset) || changed;
    const partition = new Partition(log, epochs, ctx);
    partition.rebuildProducerState();
    // Epochs and producer sequences follow the log inside its write queue, so a leadership change
    // (which also goes through the queue) never interleaves with them.
    log.listener = {
      appended: (batches) => {
        let assigned = false;
        for (const b of batches) {
          assigned = epochs.assign(b.header.partitionLeaderEpoch, b.baseOffset) || assigned;
          partition.producers.onAppended(b.header, b.baseOffset, b.lastOffset);
        }
        if (assigned) void partition.checkpointEpochs();
      },
      logStartMoving: (offset) => partition.checkpointLogStart(offset),
      truncated: (removedRecords, emptied) => {
        if (emptied ? epochs.clear() : epochs.truncateFromEnd(log.logEndOffset)) void partition.checkpointEpochs();
        if (removedRecords) partition.rebuildProducerState();
      },
    };
    if (changed) await partition.checkpointEpochs();
    return partition;
  }

  get topic(): string {
    return this.log.topic;
  }
  get partition(): number {
    return this.log.partition;
  }
  get name(): string {
    return this.log.name;
  }
  get highWatermark(): number {
    return this._highWatermark;
  }
  /** ISR for the high watermark: the committed one plus any member a pending change adds (Kafka's maximal ISR). */
  get maximalIsr(): number[] {
    return this.pendingIsr ? [...new Set([...this.isr, ...this.pendingIsr])] : this.isr;
  }

  /**
   * Applies the controller's view of this partition (from the metadata image). Returns what
   * changed for this replica: it became leader, became (or re-became) a follower, or nothing.
   */
  async applyRegistration(registration: PartitionRegistration): Promise<'leader' | 'follower' | null> {
    // An AlterPartition response may already have moved us past this image.
    if (registration.partitionEpoch < this.partitionEpoch && registration.leaderEpoch === this.leaderEpoch) return null;
    const newEpoch = registration.leaderEpoch !== this.leaderEpoch || registration.leader !== this.leader;
    const wasRole = this.role;
    this.topicId = registration.topicId;
    this.leader = registration.leader;
    this.leaderEpoch = registration.leaderEpoch;
    this.partitionEpoch = registration.partitionEpoch;
    this.replicas = registration.replicas;
    this.isr = registration.isr;
    this.role = registration.leader === this.ctx.brokerId ? 'leader' : this.replicas.includes(this.ctx.brokerId) ? 'follower' : 'none';
    let transition: 'leader' | 'follower' | null = null;
    if (newEpoch || wasRole !== this.role) {
      this.pendingIsr = null;
      this.followers.clear();
      if (this.role === 'leader') {
        await this.makeLeader();
        transition = 'leader';
      } else {
        // Requests waiting on this replica as leader (acks=all, long polls) answer now.
        this.wakeAll();
        this.needsTruncation = this.role === 'follower' && this.leader >= 0;
        this._highWatermark = Math.min(this._highWatermark, this.log.logEndOffset);
        transition = this.role === 'follower' ? 'follower' : null;
      }
    }
    if (!this.maybeIncrementHighWatermark()) this.reportOffsets();
    return transition;
  }

  private async makeLeader(): Promise<void> {
    this.needsTruncation = false;
    const epoch = this.leaderEpoch;
    // In the log's queue: a follower write already under way finishes first, and the new epoch starts after it.
    const assigned = await this.log.exclusive(() => {
      this.leaderEpochStartOffset = this.log.logEndOffset;
      this._highWatermark = Math.min(this._highWatermark, this.log.logEndOffset);
      return this.epochs.assign(epoch, this.log.logEndOffset);
    });
    if (assigned) await this.checkpointEpochs();
    const now = this.ctx.clock.now();
    // Followers in the ISR get a full replica.lag.time.max.ms to show up before they can be dropped.
    for (const id of this.replicas) {
      if (id !== this.ctx.brokerId) this.followers.set(id, { logEndOffset: -1, lastCaughtUpTimeMs: this.isr.includes(id) ? now : 0, lastFetchLeaderLogEndOffset: -1, lastFetchTimeMs: 0 });
    }
  }

  /** True on a new leader whose high watermark has not reached the log end it started its epoch with. */
  get highWatermarkBehindEpochStart(): boolean {
    return this.role === 'leader' && this._highWatermark < this.leaderEpochStartOffset;
  }

  /** The replica is deleted: its checkpoints go, and none is written again. */
  deleteCheckpoint(): Promise<void> {
    this.deleted = true;
    return this.checkpoints.run(() => deletePartitionCheckpoints(this.ctx.metaStore, this.name));
  }

  private deleted = false;

  private readonly checkpoints = new SerialQueue();
  private checkpointLogStart(offset: number): Promise<void> {
    return this.checkpoints.run(async () => {
      if (!this.deleted) await this.ctx.metaStore.put(logStartCheckpointKey(this.name), offset);
    });
  }

  /** Writes the epoch cache as it is now; writes are serialized so an older one never lands last. */
  private checkpointEpochs(): Promise<void> {
    const entries = this.epochs.entries.map((e) => ({ ...e }));
    return this.checkpoints.run(() => this.ctx.metaStore.put(epochCheckpointKey(this.name), entries));
  }

  /** Throws unless this replica leads the partition. */
  private assertLeader(): void {
    if (this.role !== 'leader') throw new KafkaProtocolError('NOT_LEADER_OR_FOLLOWER', `broker ${this.ctx.brokerId} is not the leader of ${this.name}`);
  }

  /**
   * Appends as leader. The caller has checked leadership and min.insync.replicas. An idempotent
   * producer's retry of a batch already in the log is not written again: the answer is the
   * original append's offsets (`duplicate`); a gap in its sequences is OUT_OF_ORDER_SEQUENCE_NUMBER.
   */
  async appendAsLeader(records: Uint8Array): Promise<AppendInfo & { duplicate?: boolean }> {
    let epoch = this.leaderEpoch;
    let duplicate = false;
    // Checked when the write's turn comes, not when it was queued: leadership may have moved meanwhile.
    const info = await this.log.appendAsLeader(records, () => {
      this.assertLeader();
      epoch = this.leaderEpoch;
      return epoch;
    }, (headers) => {
      const earlier = this.producers.checkAppend(headers)?.duplicate;
      if (!earlier) return null;
      duplicate = true;
      return { firstOffset: earlier.firstOffset, lastOffset: earlier.lastOffset, records: 0, bytes: 0, batches: [] };
    });
    if (duplicate) return { ...info, duplicate };
    this.afterAppend(info, epoch, 'leader');
    // The log end moved: report it, with the high watermark if that moved too.
    if (!this.maybeIncrementHighWatermark()) this.reportOffsets();
    this.onLogChanged();
    return info;
  }

  /** Appends what the fetcher got from the leader, unless this replica moved on meanwhile. */
  async appendAsFollower(records: Uint8Array, leaderEpoch: number, leaderHighWatermark: number): Promise<void> {
    const info = await this.log.appendAsFollower(records, () => this.assertFollowing(leaderEpoch));
    if (info) {
      this.afterAppend(info, info.batches[0].header.partitionLeaderEpoch, 'follower');
    }
    if (!this.updateFollowerHighWatermark(leaderHighWatermark, leaderEpoch) && info) this.reportOffsets();
  }

  private assertFollowing(leaderEpoch: number): void {
    if (this.role !== 'follower' || this.leaderEpoch !== leaderEpoch) {
      throw new KafkaProtocolError('FENCED_LEADER_EPOCH', `${this.name} on broker ${this.ctx.brokerId} no longer follows leader epoch ${leaderEpoch}`);
    }
  }

  /** A follower's high watermark: the leader's, but never past its own log end. */
  updateFollowerHighWatermark(leaderHighWatermark: number, leaderEpoch: number): boolean {
    // The answer may arrive after this replica became leader or moved on: then it says nothing.
    if (this.role !== 'follower' || this.leaderEpoch !== leaderEpoch) return false;
    const hw = Math.min(leaderHighWatermark, this.log.logEndOffset);
    if (hw === this._highWatermark) return false;
    this._highWatermark = hw;
    this.onLogChanged();
    this.reportOffsets();
    return true;
  }

  private rebuildProducerState(): void {
    this.producers.rebuild([...this.log.batchesFrom(this.log.logStartOffset)].map((b) => ({ header: b.header, baseOffset: b.baseOffset, lastOffset: b.lastOffset })));
  }

  private afterAppend(info: AppendInfo, epoch: number, role: 'leader' | 'follower'): void {
    this.ctx.events({
      type: 'log-append', time: this.ctx.clock.now(), node: this.ctx.node, topic: this.topic, partition: this.partition,
      baseOffset: info.firstOffset, lastOffset: info.lastOffset, records: info.records, bytes: info.bytes, leaderEpoch: epoch,
      compression: info.batches[0].header.compression, ...(role === 'follower' ? { replicated: true } : {}),
    });
  }

  /**
   * Truncates the log to `offset` (a follower reconciling with a new leader), drops the epochs
   * that started there, and says so. Refused if this replica moved on to another leader epoch.
   */
  async truncateTo(offset: number, leaderEpoch: number, reason: string): Promise<void> {
    const from = this.log.logEndOffset;
    await this.log.truncateTo(offset, () => this.assertFollowing(leaderEpoch));
    if (this.log.logEndOffset === from) return;
    this._highWatermark = Math.min(this._highWatermark, this.log.logEndOffset);
    this.ctx.events({ type: 'log-truncated', time: this.ctx.clock.now(), node: this.ctx.node, topic: this.topic, partition: this.partition, from, to: this.log.logEndOffset, reason });
    this.reportOffsets();
  }

  /**
   * A follower whose log ends before the leader's log start (retention deleted what it would
   * fetch next) empties its log and starts over there, as Kafka's truncateFullyAndStartAt.
   */
  async startAtLeaderLogStart(leaderLogStartOffset: number, leaderEpoch: number): Promise<void> {
    const from = this.log.logEndOffset;
    await this.log.truncateFullyAndStartAt(leaderLogStartOffset, () => this.assertFollowing(leaderEpoch));
    this._highWatermark = leaderLogStartOffset;
    this.ctx.events({
      type: 'log-truncated', time: this.ctx.clock.now(), node: this.ctx.node, topic: this.topic, partition: this.partition, from, to: leaderLogStartOffset,
      reason: `its log ended at ${from}, before the leader's log start offset ${leaderLogStartOffset} (retention deleted the rest): it starts over there`,
    });
    this.reportOffsets();
  }

  /**
   * Retention on this replica, leader or follower alike as in Kafka: deletes the expired closed
   * segments below its high watermark and moves its log start offset.
   */
  async deleteOldSegments(now: number): Promise<void> {
    const result = await this.log.deleteRetentionBreachedSegments(now, this._highWatermark);
    if (result) this.reportLogStart(result.from, result.segments, result.bytes, result.reasons.join(' and '));
  }

  /**
   * A follower moves its log start offset up to the leader's (Kafka's maybeIncrementLogStartOffset
   * on each fetch), never past its own high watermark, deleting the whole batches below it.
   */
  async followLeaderLogStart(leaderLogStartOffset: number, leaderEpoch: number): Promise<void> {
    const to = Math.min(leaderLogStartOffset, this._highWatermark);
    if (this.role !== 'follower' || this.leaderEpoch !== leaderEpoch || to <= this.log.logStartOffset) return;
    const moved = await this.log.deleteBefore(to, () => this.assertFollowing(leaderEpoch));
    if (moved) this.reportLogStart(moved.from, 0, moved.bytes, `the leader's log start offset ${leaderLogStartOffset}`);
  }

  /**
   * DeleteRecords on the leader: moves the log start offset up to `offset` (-1: the high
   * watermark), never past the high watermark; followers follow on their next fetch.
   * Returns the log start offset (the low watermark). Below the current one changes nothing.
   */
  async deleteRecords(offset: number): Promise<number> {
    this.assertLeader();
    const target = offset === -1 ? this._highWatermark : offset;
    if (target < 0 || target > this._highWatermark) {
      throw new KafkaProtocolError('OFFSET_OUT_OF_RANGE', `cannot move the log start offset of ${this.name} to ${offset}: it is past the high watermark ${this._highWatermark}`);
    }
    // Leadership is checked again at the write's turn: it may have moved meanwhile.
    const moved = await this.log.deleteBefore(target, () => this.assertLeader());
    if (moved) this.reportLogStart(moved.from, 0, moved.bytes, 'DeleteRecords');
    return this.log.logStartOffset;
  }

  private reportLogStart(from: number, segments: number, bytes: number, reason: string): void {
    this.ctx.events({
      type: 'log-start-moved', time: this.ctx.clock.now(), node: this.ctx.node, topic: this.topic, partition: this.partition,
      from, to: this.log.logStartOffset, segments, bytes, reason,
    });
    this.reportOffsets();
  }

  /** OffsetForLeaderEpoch, answered by the leader from its epoch cache. */
  endOffsetForEpoch(leaderEpoch: number): EpochEndOffset {
    this.assertLeader();
    return this.epochs.endOffsetFor(leaderEpoch, this.log.logEndOffset);
  }

  // ---- Leader: followers, ISR, high watermark ----------------------------------------------

  /** A follower's log end offset as its last Fetch told this leader; -1 if unknown. */
  followerLogEndOffset(replicaId: number): number {
    return this.followers.get(replicaId)?.logEndOffset ?? -1;
  }

  /** Kafka's updateFollowerFetchState: a follower fetching at `fetchOffset` has everything below it. */
  updateFollowerFetchState(replicaId: number, fetchOffset: number): void {
    const state = this.followers.get(replicaId);
    if (!state || this.role !== 'leader') return;
    const now = this.ctx.clock.now();
    const leaderEnd = this.log.logEndOffset;
    if (fetchOffset >= leaderEnd) state.lastCaughtUpTimeMs = Math.max(state.lastCaughtUpTimeMs, now);
    else if (fetchOffset >= state.lastFetchLeaderLogEndOffset) state.lastCaughtUpTimeMs = Math.max(state.lastCaughtUpTimeMs, state.lastFetchTimeMs);
    state.lastFetchLeaderLogEndOffset = leaderEnd;
    state.lastFetchTimeMs = now;
    const moved = state.logEndOffset !== fetchOffset;
    state.logEndOffset = fetchOffset;
    this.maybeExpandIsr(replicaId);
    if (!this.maybeIncrementHighWatermark() && moved) this.reportOffsets();
  }

  private maybeExpandIsr(replicaId: number): void {
    const state = this.followers.get(replicaId);
    if (!state || this.pendingIsr || this.isr.includes(replicaId) || !this.ctx.isBrokerEligible(replicaId)) return;
    // Caught up: has everything the leader had when this epoch began, and everything committed.
    if (state.logEndOffset < this._highWatermark || state.logEndOffset < this.leaderEpochStartOffset) return;
    this.proposeIsr([...this.isr, replicaId], `broker ${replicaId} caught up to offset ${state.logEndOffset}`);
  }

  /** Drops followers that have not caught up for replica.lag.time.max.ms (run periodically). */
  maybeShrinkIsr(): void {
    if (this.role !== 'leader' || this.pendingIsr) return;
    const now = this.ctx.clock.now();
    const lagging = this.isr.filter((id) => {
      if (id === this.ctx.brokerId) return false;
      const state = this.followers.get(id);
      // Kafka's isCaughtUp: fetched the log end recently, or simply has the whole log (an idle partition).
      return !state || (now - state.lastCaughtUpTimeMs > this.ctx.replicaLagTimeMaxMs && state.logEndOffset !== this.log.logEndOffset);
    });
    if (lagging.length === 0) return;
    this.proposeIsr(this.isr.filter((id) => !lagging.includes(id)), `${lagging.map((id) => `broker ${id}`).join(', ')} not caught up for ${this.ctx.replicaLagTimeMaxMs} ms (replica.lag.time.max.ms)`);
  }

  private proposeIsr(newIsr: number[], reason: string): void {
    const from = this.isr;
    const epoch = this.leaderEpoch;
    this.pendingIsr = newIsr;
    const report = (phase: 'proposed' | 'committed' | 'rejected', to: number[], error?: ErrorName) => this.ctx.events({
      type: 'isr-change', time: this.ctx.clock.now(), node: this.ctx.node, topic: this.topic, partition: this.partition,
      leaderEpoch: epoch, from, to, phase, reason, ...(error ? { error } : {}),
    });
    report('proposed', newIsr);
    this.ctx.alterPartition(this, newIsr).then((result) => {
      if (this.pendingIsr !== newIsr) return; // superseded by a leadership change
      this.pendingIsr = null;
      if (result.errorCode !== 0) {
        report('rejected', newIsr, errorName(result.errorCode));
        return;
      }
      if (result.leaderEpoch === this.leaderEpoch && result.partitionEpoch > this.partitionEpoch) {
        this.isr = result.isr;
        this.partitionEpoch = result.partitionEpoch;
      }
      report('committed', result.isr);
      if (!this.maybeIncrementHighWatermark()) this.reportOffsets();
    }, (error: unknown) => {
      if (this.pendingIsr !== newIsr) return;
      this.pendingIsr = null;
      report('rejected', newIsr, asKafkaError(error).type);
    });
  }

  /** HW = the smallest log end offset in the (maximal) ISR; never moves backwards on a leader. */
  maybeIncrementHighWatermark(): boolean {
    if (this.role !== 'leader') return false;
    let candidate = this.log.logEndOffset;
    for (const id of this.maximalIsr) {
      if (id === this.ctx.brokerId) continue;
      const end = this.followers.get(id)?.logEndOffset ?? -1;
      candidate = Math.min(candidate, end < 0 ? this._highWatermark : end);
    }
    if (candidate <= this._highWatermark) return false;
    this._highWatermark = candidate;
    this.onLogChanged();
    this.reportOffsets();
    return true;
  }

  // ---- Waiting (acks=all, long-polling fetches) --------------------------------------------

  /** Resolves true once `ready()` holds (checked on every log or high watermark change), false on timeout or a role change. */
  waitUntil(ready: () => boolean, timeoutMs: number | null): Promise<boolean> {
    if (ready()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter: Waiter = { ready, resolve, timer: null };
      if (timeoutMs !== null) waiter.timer = this.ctx.clock.setTimer(timeoutMs, () => this.finishWaiter(waiter, false));
      this.waiters.add(waiter);
    });
  }

  /** Resolves true once the high watermark reaches `offset` while this replica leads. */
  waitForHighWatermark(offset: number, timeoutMs: number | null): Promise<boolean> {
    if (this.role !== 'leader' && this._highWatermark < offset) return Promise.resolve(false);
    return this.waitUntil(() => this._highWatermark >= offset, timeoutMs);
  }

  /** Wakes everyone waiting on this partition: it was deleted, or this replica changed role. */
  wakeAll(): void {
    for (const waiter of this.waiters) this.finishWaiter(waiter, false);
  }

  private onLogChanged(): void {
    for (const waiter of this.waiters) if (waiter.ready()) this.finishWaiter(waiter, true);
  }

  private finishWaiter(waiter: Waiter, ready: boolean): void {
    if (!this.waiters.delete(waiter)) return;
    waiter.timer?.cancel();
    waiter.resolve(ready);
  }

  reportOffsets(): void {
    const replicaLogEndOffsets: Record<number, number> = {};
    if (this.role === 'leader') for (const [id, state] of this.followers) replicaLogEndOffsets[id] = state.logEndOffset;
    this.ctx.events({
      type: 'partition-offsets', time: this.ctx.clock.now(), node: this.ctx.node, topic: this.topic, partition: this.partition,
      logStartOffset: this.log.logStartOffset, logEndOffset: this.log.logEndOffset, highWatermark: this._highWatermark,
      leaderEpoch: this.leaderEpoch, role: this.role, isr: this.isr,
      ...(this.role === 'leader' ? { replicaLogEndOffsets } : {}),
    });
  }
}
