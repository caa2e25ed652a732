import type { Clock, EventSink, MetaStore, Random, TimerHandle } from '../ports';
import type { Rpc } from '../common/rpc';
import { SerialQueue } from '../common/serial';
import { controllerAddress } from '../config';
import { KafkaProtocolError, errorCode, errorName } from '../protocol/errors';
import {
  CLUSTER_METADATA_TOPIC,
  type BeginQuorumEpochRequest, type BeginQuorumEpochResponse, type EndQuorumEpochRequest, type EndQuorumEpochResponse,
  type FetchPartitionResponse, type FetchRequest, type FetchResponse, type VoteRequest, type VoteResponse,
  type FetchSnapshotRequest, type FetchSnapshotResponse,
} from '../protocol/messages';
import type { UnifiedLog } from '../storage/unifiedLog';
import { LeaderEpochCache, UNDEFINED_EPOCH } from '../storage/leaderEpochCache';
import { encodeBatch } from '../storage/recordBatch';
import { encodeMetadataRecord, type MetadataRecord } from '../metadata/records';

export type QuorumStateName = 'Unattached' | 'Prospective' | 'Candidate' | 'Leader' | 'Follower' | 'Resigned';

export interface RaftConfig {
  clusterId: string;
  nodeId: number;
  voters: number[];
  /** How long a voter without a leader waits before it asks for votes (plus up to as much again, at random). */
  'controller.quorum.election.timeout.ms': number;
  /** How long a follower waits for the leader before it starts an election; a leader that hears from no majority for 1.5× this resigns (check-quorum). */
  'controller.quorum.fetch.timeout.ms': number;
  'controller.quorum.election.backoff.max.ms': number;
}

export interface RaftContext { rpc: Rpc; clock: Clock; random: Random; metaStore: MetaStore; events: EventSink; node: string }

/** A snapshot of the metadata up to (not including) endOffset, written in `epoch` (KIP-630). */
export interface MetadataSnapshot { endOffset: number; epoch: number; records: MetadataRecord[] }

/** Told when records become committed and when this node's role changes. */
export interface RaftListener {
  onCommit(highWatermark: number): void;
  onStateChange(state: QuorumStateName): void;
  /** This voter installed a snapshot fetched from the leader: everything before its end offset is in it. */
  onSnapshotInstalled(snapshot: MetadataSnapshot): void;
}

interface PersistedQuorumState { leaderEpoch: number; votedId: number | null; leaderId: number | null }

const QUORUM_STATE_KEY = 'quorum-state';
/** Where a controller keeps its latest metadata snapshot. */
export const SNAPSHOT_KEY = 'metadata-snapshot';
const FETCH_MAX_WAIT_MS = 500;
const FETCH_BACKOFF_MS = 100;
const REQUEST_TIMEOUT_MS = 2000;

interface Waiter { ready: () => boolean; resolve: () => void; timer: TimerHandle }

/**
 * Kafka's KRaft consensus (KafkaRaftClient, KIP-595) for `__cluster_metadata`: voters elect a
 * leader with Vote, after a pre-vote round (KIP-996) so a node returning from isolation cannot
 * unseat a healthy leader; the leader announces itself with BeginQuorumEpoch; followers pull the
 * log with Fetch and truncate where it diverged (divergingEpoch); a record is committed once a
 * majority has it and the leader has committed a record of its own epoch (its
 * LeaderChangeMessage). The epoch and vote are persisted before any answer depends on them, so
 * a restarted voter never votes twice in one epoch.
 */
export class RaftClient {
  state: QuorumStateName = 'Unattached';
  epoch = 0;
  votedId: number | null = null;
  leaderId: number | null = null;
  private _highWatermark = 0;
  private readonly epochs: LeaderEpochCache;
  private readonly transitions = new SerialQueue();
  private timer: TimerHandle | null = null;
  private checkQuorumTimer: TimerHandle | null = null;
  /** Leader only: each voter's fetch offset and when it last fetched. */
  private readonly matchOffsets = new Map<number, number>();
  private readonly lastFetchMs = new Map<number, number>();
  private epochStartOffset = 0;
  /** When a follower last heard from its leader (a voter that did recently refuses pre-votes). */
  private lastLeaderContactMs = -Infinity;
  private readonly waiters = new Set<Waiter>();
  private stopped = false;

  constructor(private readonly config: RaftConfig, private readonly ctx: RaftContext, readonly log: UnifiedLog, private readonly listener: RaftListener, private snapshot: MetadataSnapshot | null) {
    this.epochs = new LeaderEpochCache(snapshot ? [{ epoch: snapshot.epoch, startOffset: Math.max(0, snapshot.endOffset - 1) }] : []);
    // What a snapshot holds is committed by definition.
    this._highWatermark = snapshot?.endOffset ?? 0;
    for (const batch of log.batchesFrom(log.logStartOffset)) this.epochs.assign(batch.header.partitionLeaderEpoch, batch.baseOffset);
    log.listener = {
      appended: (batches) => { for (const b of batches) this.epochs.assign(b.header.partitionLeaderEpoch, b.baseOffset); },
      truncated: () => { this.epochs.truncateFromEnd(log.logEndOffset); },
    };
  }

  /** The latest snapshot this node wrote or installed, if any. */
  get currentSnapshot(): MetadataSnapshot | null {
    return this.snapshot;
  }

  get highWatermark(): number {
    return this._highWatermark;
  }
  private get majority(): number {
    return Math.floor(this.config.voters.length / 2) + 1;
  }
  private get others(): number[] {
    return this.config.voters.filter((id) => id !== this.config.nodeId);
  }

  async start(): Promise<void> {
    await this.transitions.run(async () => {
      // Read inside the queue: no Vote is answered before the durable vote is known.
      const saved = await this.ctx.metaStore.get<PersistedQuorumState>(QUORUM_STATE_KEY);
      if (saved) {
        this.epoch = saved.leaderEpoch;
        this.votedId = saved.votedId;
      }
      // A restarted leader does not lead again by itself: it waits for the quorum, as Kafka's does.
      if (saved?.leaderId !== null && saved?.leaderId !== undefined && saved.leaderId !== this.config.nodeId) await this.becomeFollower(saved.leaderEpoch, saved.leaderId, 'restarted: following the last known leader');
      else this.becomeUnattached(this.epoch, this.votedId, 'started');
    });
    if (this.config.voters.length === 1) await this.startPreVote();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.checkQuorumTimer?.cancel();
    for (const waiter of this.waiters) this.finish(waiter);
  }

  // ---- State transitions (serialized; each persists before it acts) --------------------------

  private persist(): Promise<void> {
    return this.ctx.metaStore.put(QUORUM_STATE_KEY, { leaderEpoch: this.epoch, votedId: this.votedId, leaderId: this.leaderId } satisfies PersistedQuorumState);
  }

  private report(reason: string): void {
    this.ctx.events({
      type: 'quorum-state', time: this.ctx.clock.now(), node: this.ctx.node, controllerId: this.config.nodeId, state: this.state, epoch: this.epoch,
      votedId: this.votedId, leaderId: this.leaderId, logEndOffset: this.log.logEndOffset, highWatermark: this._highWatermark, reason,
    });
    this.listener.onStateChange(this.state);
  }

  private setTimer(ms: number, action: () => Promise<void> | void): void {
    this.timer?.cancel();
    if (this.stopped) return;
    this.timer = this.ctx.clock.setTimer(ms, () => { void action(); });
  }

  private randomElectionTimeout(): number {
    const base = this.config['controller.quorum.election.timeout.ms'];
    return base + Math.floor(this.ctx.random.next() * base);
  }

  private becomeUnattached(epoch: number, votedId: number | null, reason: string): void {
    const wasLeader = this.state === 'Leader';
    this.state = 'Unattached';
    this.epoch = epoch;
    this.votedId = votedId;
    this.leaderId = null;
    if (wasLeader) this.stopLeading();
    this.setTimer(this.randomElectionTimeout(), () => this.startPreVote());
    this.report(reason);
  }

  private async becomeFollower(epoch: number, leaderId: number, reason: string): Promise<void> {
    const wasLeader = this.state === 'Leader';
    const changed = this.state !== 'Follower' || this.epoch !== epoch || this.leaderId !== leaderId;
    this.state = 'Follower';
    if (epoch !== this.epoch) this.votedId = null;
    this.epoch = epoch;
    this.leaderId = leaderId;
    this.lastLeaderContactMs = this.ctx.clock.now();
    if (wasLeader) this.stopLeading();
    await this.persist();
    this.resetFetchTimer();
    if (changed) {
      this.report(reason);
      void this.fetchLoop(epoch, leaderId);
    }
  }

  private resetFetchTimer(): void {
    this.setTimer(this.config['controller.quorum.fetch.timeout.ms'], () => this.startPreVote());
  }

  /**
   * KIP-996: asks whether the others would vote for us, without changing any epoch; if a
   * majority would, becomes a candidate and asks for real. Votes are collected outside the
   * transition queue, so this node keeps answering others meanwhile.
   */
  private async startPreVote(): Promise<void> {
    const epoch = await this.transitions.run(async () => {
      if (this.stopped || this.state === 'Leader') return null;
      this.state = 'Prospective';
      this.leaderId = null;
      this.setTimer(this.randomElectionTimeout(), () => this.startPreVote());
      this.report(`no leader heard from: asking for pre-votes for epoch ${this.epoch + 1} (KIP-996)`);
      return this.epoch;
    });
    if (epoch === null) return;
    if ((await this.askVotes(epoch + 1, true)).size < this.majority) return;
    const candidateEpoch = await this.transitions.run(() => this.becomeCandidate(epoch));
    if (candidateEpoch === null) return;
    const granted = await this.askVotes(candidateEpoch, false);
    if (granted.size < this.majority) return;
    await this.transitions.run(() => this.becomeLeader(candidateEpoch, [...granted]));
  }

  private async becomeCandidate(fromEpoch: number): Promise<number | null> {
    if (this.stopped || this.state !== 'Prospective' || this.epoch !== fromEpoch) return null;
    this.state = 'Candidate';
    this.epoch += 1;
    this.votedId = this.config.nodeId;
    this.leaderId = null;
    await this.persist();
    this.setTimer(this.randomElectionTimeout(), () => {
      // Lost or split: back off a random while, then try again from a pre-vote.
      this.setTimer(Math.floor(this.ctx.random.next() * this.config['controller.quorum.election.backoff.max.ms']), () => this.startPreVote());
    });
    this.report(`a majority would vote: voting for itself in epoch ${this.epoch}`);
    return this.epoch;
  }

  /**
   * Sends Vote to the other voters; resolves with the voters that granted (counting our own).
   * Each round counts only its own answers: a late pre-vote grant is not a vote.
   */
  private async askVotes(candidateEpoch: number, preVote: boolean): Promise<Set<number>> {
    const votes = new Set([this.config.nodeId]);
    const request: VoteRequest = {
      clusterId: this.config.clusterId, candidateEpoch, candidateId: this.config.nodeId,
      lastOffsetEpoch: this.epochs.latestEpoch, lastOffset: this.log.logEndOffset, preVote,
    };
    if (votes.size >= this.majority) return votes;
    await new Promise<void>((resolve) => {
      let pending = this.others.length;
      for (const id of this.others) {
        this.ctx.rpc.request(controllerAddress(id), 'Vote', request, { timeoutMs: REQUEST_TIMEOUT_MS }).then(async (response) => {
          // A voter in a newer epoch tells us whom to follow (a leader of our own epoch is the one we lost).
          if (response.leaderEpoch > this.epoch) {
            await this.transitions.run(() => this.observeEpoch(response.leaderEpoch, response.leaderId, `controller ${id} knows epoch ${response.leaderEpoch}${response.leaderId >= 0 ? ` led by controller ${response.leaderId}` : ''}`));
          }
          if (response.voteGranted) votes.add(id);
        }, () => undefined).finally(() => {
          pending--;
          if (votes.size >= this.majority || pending === 0) resolve();
        });
      }
    });
    return new Set(votes);
  }

  /** A newer epoch seen anywhere: follow its leader if known, else wait unattached. */
  private async observeEpoch(epoch: number, leaderId: number, reason: string): Promise<void> {
    // Only a newer epoch moves us: a leader of our own epoch is the one we already know (or lost).
    if (epoch <= this.epoch) return;
    if (leaderId >= 0 && leaderId !== this.config.nodeId) await this.becomeFollower(epoch, leaderId, reason);
    else {
      this.becomeUnattached(epoch, null, reason);
      await this.persist();
    }
  }

  private async becomeLeader(epoch: number, granted: number[]): Promise<void> {
    if (this.stopped || this.state !== 'Candidate' || this.epoch !== epoch) return;
    this.state = 'Leader';
    this.leaderId = this.config.nodeId;
    await this.persist();
    this.timer?.cancel();
    const now = this.ctx.clock.now();
    this.matchOffsets.clear();
    for (const id of this.others) {
      this.matchOffsets.set(id, -1);
      this.lastFetchMs.set(id, now);
    }
    this.epochStartOffset = this.log.logEndOffset;
    // The leader's first record: nothing of this epoch (or before it) counts as committed until it is.
    await this.appendRecords([{ type: 'LeaderChangeMessage', leaderId: this.config.nodeId, voters: this.config.voters, grantingVoters: granted.sort((a, b) => a - b) }]);
    this.report(`won the election with votes from ${granted.sort((a, b) => a - b).join(', ')}`);
    this.scheduleCheckQuorum();
    for (const id of this.others) void this.beginQuorumEpoch(id, this.epoch);
  }

  private stopLeading(): void {
    this.checkQuorumTimer?.cancel();
    for (const waiter of this.waiters) this.finish(waiter);
  }

  /** Tells a voter about this leader; one that misses it is told again by the check-quorum timer. */
  private async beginQuorumEpoch(id: number, epoch: number): Promise<void> {
    try {
      const response = await this.ctx.rpc.request(controllerAddress(id), 'BeginQuorumEpoch', { clusterId: this.config.clusterId, leaderId: this.config.nodeId, leaderEpoch: epoch }, { timeoutMs: REQUEST_TIMEOUT_MS });
      if (response.leaderEpoch > epoch) await this.transitions.run(() => this.observeEpoch(response.leaderEpoch, response.leaderId, `controller ${id} is in a newer epoch`));
    } catch {
      // Unreachable now: the check-quorum timer sends it again while the voter does not fetch.
    }
  }

  /** Check-quorum: a leader that no majority has fetched from within 1.5 × fetch timeout resigns. */
  private scheduleCheckQuorum(): void {
    const timeout = this.config['controller.quorum.fetch.timeout.ms'];
    this.checkQuorumTimer = this.ctx.clock.setTimer(timeout / 2, () => {
      if (this.stopped || this.state !== 'Leader') return;
      const now = this.ctx.clock.now();
      const reachable = 1 + this.others.filter((id) => now - (this.lastFetchMs.get(id) ?? -Infinity) <= timeout * 1.5).length;
      if (reachable < this.majority) {
        void this.transitions.run(() => this.resign(`check-quorum: only ${reachable} of ${this.config.voters.length} voters fetched within ${timeout * 1.5} ms`));
        return;
      }
      // A voter that has not fetched lately may not know this leader (it was away): tell it again.
      for (const id of this.others) if (now - (this.lastFetchMs.get(id) ?? -Infinity) > timeout) void this.beginQuorumEpoch(id, this.epoch);
      this.scheduleCheckQuorum();
    });
  }

  private async resign(reason: string): Promise<void> {
    if (this.state !== 'Leader') return;
    this.state = 'Resigned';
    this.stopLeading();
    this.report(reason);
    const epoch = this.epoch;
    for (const id of this.others) {
      void this.ctx.rpc.request(controllerAddress(id), 'EndQuorumEpoch', { clusterId: this.config.clusterId, leaderId: this.config.nodeId, leaderEpoch: epoch, preferredSuccessors: this.others }, { timeoutMs: REQUEST_TIMEOUT_MS }).catch(() => undefined);
    }
    this.setTimer(this.randomElectionTimeout(), () => this.startPreVote());
  }

  // ---- Requests from other voters ----------------------------------------------------------

  private isUpToDate(lastOffsetEpoch: number, lastOffset: number): boolean {
    const ours = this.epochs.latestEpoch;
    return lastOffsetEpoch > ours || (lastOffsetEpoch === ours && lastOffset >= this.log.logEndOffset);
  }

  handleVote(request: VoteRequest): Promise<VoteResponse> {
    return this.transitions.run(async () => {
      const answer = (voteGranted: boolean, code = 0): VoteResponse => ({ errorCode: code, leaderId: this.leaderId ?? -1, leaderEpoch: this.epoch, voteGranted });
      if (request.clusterId !== this.config.clusterId) return answer(false, errorCode('INCONSISTENT_CLUSTER_ID'));
      if (!this.config.voters.includes(request.candidateId)) return answer(false, errorCode('INVALID_REQUEST'));
      if (request.preVote) {
        // A voter that hears from a live leader refuses, so an isolated node coming back cannot disrupt it.
        const leaderAlive = this.state === 'Leader' || (this.state === 'Follower' && this.ctx.clock.now() - this.lastLeaderContactMs < this.config['controller.quorum.fetch.timeout.ms']);
        return answer(request.candidateEpoch > this.epoch && !leaderAlive && this.isUpToDate(request.lastOffsetEpoch, request.lastOffset));
      }
      if (request.candidateEpoch < this.epoch) return answer(false);
      if (request.candidateEpoch > this.epoch) {
        this.becomeUnattached(request.candidateEpoch, null, `controller ${request.candidateId} asks for votes in epoch ${request.candidateEpoch}`);
        await this.persist();
      }
      const free = this.votedId === null || this.votedId === request.candidateId;
      // A voter without a leader in this epoch (Unattached, or Prospective itself) may vote.
      const grant = (this.state === 'Unattached' || this.state === 'Prospective') && free && this.isUpToDate(request.lastOffsetEpoch, request.lastOffset);
      if (grant && this.votedId !== request.candidateId) {
        this.votedId = request.candidateId;
        // Durable before the answer: a restart must not vote again in this epoch.
        await this.persist();
        this.setTimer(this.randomElectionTimeout(), () => this.startPreVote());
        this.report(`voted for controller ${request.candidateId} in epoch ${this.epoch}`);
      }
      return answer(grant);
    });
  }

  handleBeginQuorumEpoch(request: BeginQuorumEpochRequest): Promise<BeginQuorumEpochResponse> {
    return this.transitions.run(async () => {
      if (request.clusterId !== this.config.clusterId) return { errorCode: errorCode('INCONSISTENT_CLUSTER_ID'), leaderId: this.leaderId ?? -1, leaderEpoch: this.epoch };
      if (request.leaderEpoch < this.epoch) return { errorCode: errorCode('FENCED_LEADER_EPOCH'), leaderId: this.leaderId ?? -1, leaderEpoch: this.epoch };
      if (request.leaderId !== this.config.nodeId) await this.becomeFollower(request.leaderEpoch, request.leaderId, `controller ${request.leaderId} won epoch ${request.leaderEpoch} (BeginQuorumEpoch)`);
      return { errorCode: 0, leaderId: request.leaderId, leaderEpoch: this.epoch };
    });
  }

  handleEndQuorumEpoch(request: EndQuorumEpochRequest): Promise<EndQuorumEpochResponse> {
    return this.transitions.run(async () => {
      if (request.leaderEpoch === this.epoch && this.state === 'Follower' && this.leaderId === request.leaderId) {
        // The leader is gone: a preferred successor starts at once, the others after a backoff.
        const rank = request.preferredSuccessors.indexOf(this.config.nodeId);
        this.lastLeaderContactMs = -Infinity;
        this.setTimer(rank <= 0 ? 0 : rank * this.config['controller.quorum.election.backoff.max.ms'] / 2, () => this.startPreVote());
      }
      return { errorCode: 0, leaderId: this.leaderId ?? -1, leaderEpoch: this.epoch };
    });
  }

  // ---- The log: leader writes, fetches from voters and observers ----------------------------

  /** Leader only: appends records in this epoch; resolves with their offsets once they are in the local log. */
  async appendRecords(records: MetadataRecord[]): Promise<{ firstOffset: number; lastOffset: number }> {
    if (this.state !== 'Leader') throw new KafkaProtocolError('NOT_CONTROLLER', `controller ${this.config.nodeId} is not the quorum leader`);
    const timestamp = Math.floor(this.ctx.clock.now());
    const bytes = await encodeBatch({ partitionLeaderEpoch: this.epoch, records: records.map((record) => ({ key: null, value: encodeMetadataRecord(record), timestamp })) });
    const epoch = this.epoch;
    const info = await this.log.appendAsLeader(bytes, () => {
      if (this.state !== 'Leader' || this.epoch !== epoch) throw new KafkaProtocolError('NOT_CONTROLLER', 'lost the quorum leadership before the write');
      return epoch;
    });
    this.maybeAdvanceHighWatermark();
    this.wake();
    return { firstOffset: info.firstOffset, lastOffset: info.lastOffset };
  }

  /** Resolves true once `offset` is committed, false on timeout or when this node stops leading. */
  waitForCommit(offset: number, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const epoch = this.epoch;
      const waiter: Waiter = {
        ready: () => this._highWatermark > offset || this.state !== 'Leader' || this.epoch !== epoch,
        resolve: () => resolve(this._highWatermark > offset),
        timer: this.ctx.clock.setTimer(timeoutMs, () => this.finish(waiter)),
      };
      if (waiter.ready()) {
        waiter.timer.cancel();
        resolve(this._highWatermark > offset);
        return;
      }
      this.waiters.add(waiter);
    });
  }

  private finish(waiter: Waiter): void {
    if (!this.waiters.delete(waiter)) return;
    waiter.timer.cancel();
    waiter.resolve();
  }

  private wake(): void {
    for (const waiter of this.waiters) if (waiter.ready()) this.finish(waiter);
  }

  /** Committed = on a majority, and at least the leader's own LeaderChangeMessage of this epoch. */
  private maybeAdvanceHighWatermark(): void {
    if (this.state !== 'Leader') return;
    const offsets = [this.log.logEndOffset, ...this.others.map((id) => this.matchOffsets.get(id) ?? -1)].sort((a, b) => b - a);
    const candidate = offsets[this.majority - 1];
    if (candidate > this.epochStartOffset && candidate > this._highWatermark) this.setHighWatermark(candidate);
  }

  private setHighWatermark(hw: number): void {
    if (hw === this._highWatermark) return;
    this._highWatermark = hw;
    this.listener.onCommit(hw);
    this.wake();
  }

  /**
   * Fetch of `__cluster_metadata`: from a voter (it reads to the log end and its position moves
   * the high watermark) or an observer broker (it reads only what is committed).
   */
  async handleFetch(request: FetchRequest): Promise<FetchResponse> {
    const wanted = request.topics.find((t) => t.topic === CLUSTER_METADATA_TOPIC)?.partitions[0];
    const out = (partition: Partial<FetchPartitionResponse>): FetchResponse => ({
      errorCode: 0,
      responses: [{ topic: CLUSTER_METADATA_TOPIC, partitions: [{
        partitionIndex: 0, errorCode: 0, highWatermark: this._highWatermark, lastStableOffset: this._highWatermark, logStartOffset: this.log.logStartOffset, records: null,
        currentLeader: { leaderId: this.leaderId ?? -1, leaderEpoch: this.epoch }, ...partition,
      }] }],
    });
    if (!wanted) return { errorCode: errorCode('UNKNOWN_TOPIC_OR_PARTITION'), responses: [] };
    if (this.state !== 'Leader') return out({ errorCode: errorCode('NOT_LEADER_OR_FOLLOWER') });
    if (wanted.currentLeaderEpoch >= 0 && wanted.currentLeaderEpoch < this.epoch) return out({ errorCode: errorCode('FENCED_LEADER_EPOCH') });
    if (wanted.currentLeaderEpoch > this.epoch) return out({ errorCode: errorCode('UNKNOWN_LEADER_EPOCH') });
    if (wanted.fetchOffset < this.log.logStartOffset && this.snapshot) {
      // KIP-630: what this fetcher lacks is only in the snapshot now.
      return out({ snapshotId: { endOffset: this.snapshot.endOffset, epoch: this.snapshot.epoch } });
    }
    const voter = this.others.includes(request.replicaId);
    if (voter && wanted.lastFetchedEpoch >= 0) {
      const end = this.epochs.endOffsetFor(wanted.lastFetchedEpoch, this.log.logEndOffset);
      if (end.leaderEpoch < wanted.lastFetchedEpoch || end.endOffset < wanted.fetchOffset) {
        return out({ divergingEpoch: { epoch: end.leaderEpoch, endOffset: end.endOffset } });
      }
    }
    if (voter) {
      this.matchOffsets.set(request.replicaId, Math.min(wanted.fetchOffset, this.log.logEndOffset));
      this.lastFetchMs.set(request.replicaId, this.ctx.clock.now());
      this.maybeAdvanceHighWatermark();
    }
    const limit = () => (voter ? this.log.logEndOffset : this._highWatermark);
    const epoch = this.epoch;
    if (wanted.fetchOffset >= limit() && request.maxWaitMs > 0) {
      const hw = this._highWatermark;
      await new Promise<void>((resolve) => {
        const waiter: Waiter = {
          ready: () => wanted.fetchOffset < limit() || this._highWatermark !== hw || this.state !== 'Leader' || this.epoch !== epoch,
          resolve, timer: this.ctx.clock.setTimer(request.maxWaitMs, () => this.finish(waiter)),
        };
        this.waiters.add(waiter);
      });
    }
    if (this.state !== 'Leader' || this.epoch !== epoch) return out({ errorCode: errorCode('NOT_LEADER_OR_FOLLOWER') });
    try {
      return out({ records: this.log.read(wanted.fetchOffset, limit(), request.maxBytes).bytes });
    } catch {
      return out({ errorCode: errorCode('OFFSET_OUT_OF_RANGE') });
    }
  }

  /** A follower voter pulls the log from its leader, for as long as it follows that leader in that epoch. */
  private async fetchLoop(epoch: number, leaderId: number): Promise<void> {
    const following = () => !this.stopped && this.state === 'Follower' && this.epoch === epoch && this.leaderId === leaderId;
    while (following()) {
      try {
        const response = await this.ctx.rpc.request(controllerAddress(leaderId), 'Fetch', {
          replicaId: this.config.nodeId, maxWaitMs: FETCH_MAX_WAIT_MS, minBytes: 1, maxBytes: 1024 * 1024, isolationLevel: 0,
          topics: [{ topic: CLUSTER_METADATA_TOPIC, partitions: [{ partition: 0, currentLeaderEpoch: epoch, fetchOffset: this.log.logEndOffset, lastFetchedEpoch: this.epochs.latestEpoch, logStartOffset: this.log.logStartOffset, partitionMaxBytes: 1024 * 1024 }] }],
        }, { timeoutMs: FETCH_MAX_WAIT_MS + REQUEST_TIMEOUT_MS });
        if (!following()) return;
        const data = response.responses[0]?.partitions[0];
        if (!data) continue;
        if (data.errorCode !== 0) {
          const leader = data.currentLeader;
          if (leader && leader.leaderEpoch > epoch) await this.transitions.run(() => this.observeEpoch(leader.leaderEpoch, leader.leaderId, `controller ${leaderId} answered ${errorName(data.errorCode)}`));
          await this.sleep(FETCH_BACKOFF_MS);
          continue;
        }
        this.lastLeaderContactMs = this.ctx.clock.now();
        this.resetFetchTimer();
        if (data.snapshotId) {
          const fetched = await this.ctx.rpc.request(controllerAddress(leaderId), 'FetchSnapshot', { replicaId: this.config.nodeId, snapshotId: data.snapshotId }, { timeoutMs: REQUEST_TIMEOUT_MS });
          if (fetched.errorCode !== 0 || !following()) continue;
          await this.installSnapshot({ ...fetched.snapshotId, records: fetched.records }, following);
          continue;
        }
        if (data.divergingEpoch) {
          const local = this.epochs.endOffsetFor(data.divergingEpoch.epoch, this.log.logEndOffset);
          const to = Math.min(data.divergingEpoch.endOffset, local.leaderEpoch === UNDEFINED_EPOCH ? data.divergingEpoch.endOffset : local.endOffset, this.log.logEndOffset);
          const from = this.log.logEndOffset;
          await this.log.truncateTo(Math.max(to, 0), () => { if (!following()) throw new Error('stale'); });
          this.ctx.events({ type: 'log-truncated', time: this.ctx.clock.now(), node: this.ctx.node, topic: CLUSTER_METADATA_TOPIC, partition: 0, from, to: this.log.logEndOffset, reason: `diverged from leader controller ${leaderId} after epoch ${data.divergingEpoch.epoch} (KIP-595 divergingEpoch)` });
          continue;
        }
        if (data.records && data.records.byteLength > 0) await this.log.appendAsFollower(data.records, () => { if (!following()) throw new Error('stale'); });
        this.setHighWatermark(Math.max(this._highWatermark, Math.min(data.highWatermark, this.log.logEndOffset)));
      } catch {
        if (!following()) return;
        await this.sleep(FETCH_BACKOFF_MS);
      }
    }
  }

  /** Replaces this voter's log with a snapshot from the leader: the log restarts at its end offset. */
  private async installSnapshot(snapshot: MetadataSnapshot, following: () => boolean): Promise<void> {
    await this.log.exclusive(() => { if (!following()) throw new Error('stale'); });
    // Durable before the log it replaces goes: a crash in between leaves both, never neither.
    await this.ctx.metaStore.put(SNAPSHOT_KEY, snapshot);
    await this.log.truncateFullyAndStartAt(snapshot.endOffset);
    // Epochs of the old log (even a stale higher one below the snapshot) mean nothing now.
    this.epochs.truncateFromEnd(0);
    this.epochs.assign(snapshot.epoch, Math.max(0, snapshot.endOffset - 1));
    this.snapshot = snapshot;
    this.listener.onSnapshotInstalled(snapshot);
    this.setHighWatermark(Math.max(this._highWatermark, snapshot.endOffset));
  }

  /**
   * Records a snapshot this node wrote of its committed image, and drops the log it covers.
   * The epoch is that of the last record it includes.
   */
  async takeSnapshot(records: MetadataRecord[], endOffset: number): Promise<MetadataSnapshot> {
    const epoch = [...this.epochs.entries].reverse().find((e) => e.startOffset < endOffset)?.epoch ?? this.snapshot?.epoch ?? 0;
    const snapshot: MetadataSnapshot = { endOffset, epoch, records };
    await this.ctx.metaStore.put(SNAPSHOT_KEY, snapshot);
    this.snapshot = snapshot;
    await this.log.deleteBefore(endOffset);
    return snapshot;
  }

  handleFetchSnapshot(request: FetchSnapshotRequest): FetchSnapshotResponse {
    const snapshot = this.snapshot;
    if (!snapshot || snapshot.endOffset !== request.snapshotId.endOffset || snapshot.epoch !== request.snapshotId.epoch) {
      return { errorCode: errorCode('SNAPSHOT_NOT_FOUND'), snapshotId: request.snapshotId, records: [] };
    }
    return { errorCode: 0, snapshotId: { endOffset: snapshot.endOffset, epoch: snapshot.epoch }, records: snapshot.records };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.ctx.clock.setTimer(ms, resolve));
  }
}
