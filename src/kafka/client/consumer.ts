/**
 * KafkaJS's consumer: subscribe, run({ eachMessage | eachBatch }), commitOffsets, seek, pause,
 * resume, stop, disconnect, describeGroup.
 *
 * Group membership (consumerGroup.ts speaks the protocol). run() joins the group through its
 * coordinator: JoinGroup with one protocol per partition assigner (KafkaJS's default
 * RoundRobinAssigner unless `partitionAssigners` says otherwise), the leader assigns, SyncGroup
 * hands every member its partitions, and this consumer fetches exactly those. A heartbeat goes to
 * the coordinator every heartbeatInterval (default 3000) ms, and when eachMessage / eachBatch call
 * heartbeat() and one is due; a member silent for sessionTimeout (default 30000) ms is removed
 * by the coordinator. Heartbeat or OffsetCommit answered REBALANCE_IN_PROGRESS means rejoin;
 * UNKNOWN_MEMBER_ID (rejoin as a new member) and ILLEGAL_GENERATION, from those or from the
 * JoinGroup / SyncGroup of a rebalance under way, mean this member's partitions were already
 * given away: they are lost, dropped without a commit (their records may come again to their
 * next owner: at-least-once), and the member rejoins claiming none.
 *
 * Rebalancing. With eager assignors (roundRobin, range, sticky) the consumer stops fetching,
 * lets the handler finish the record in hand, commits what it processed (autoCommit), revokes
 * every partition and rejoins. With cooperative-sticky (KIP-429) it keeps consuming while it
 * rejoins, and after SyncGroup revokes (committing first) only what it no longer has; if it
 * revoked anything it rejoins at once, and that second rebalance gives those partitions to their
 * new owners. A newly assigned partition starts at the group's committed offset. Each step is
 * reported as a consumer-rebalance event (join, revoke, assign) and as KafkaJS's
 * consumer.rebalancing / consumer.group_join events. stop() commits, sends LeaveGroup, so the
 * group rebalances at once; a consumer that dies just stops heartbeating.
 *
 * A failure of the group protocol itself (out of retries) is a crash, as in KafkaJS: a
 * consumer.crash event; a retriable one (and restartOnFailure, if given, agreeing) gives up the
 * partitions, leaves the group and joins again after a backoff; any other stops the consumer.
 *
 * Positions. A partition starts at its committed offset, else at the earliest (fromBeginning) or
 * latest offset (ListOffsets -2 / -1); OFFSET_OUT_OF_RANGE resets it the same way.
 *
 * Fetch loop. Every leader broker gets one Fetch at a time carrying all its assigned partitions
 * (long-polling up to maxWaitTimeInMs); when one comes back its partitions are processed (at
 * most partitionsConsumedConcurrently partitions at a time, across all brokers, records in
 * order within a partition) and that broker is fetched from again, so a slow broker never holds
 * up the others. A partition's position moves only forward past what the handler processed: a
 * record is delivered once per assignment unless seek() goes back. Leadership errors and timeouts
 * refresh the metadata and carry on. A partition whose fetch failed waits before its next one
 * (the retry policy's backoff, growing with its own failures in a row, never with other
 * partitions'), unless the metadata now names another broker to fetch it from. A handler that
 * throws: a client-error event and CRASH, then, after the retry backoff, the same record again
 * (from the last resolved offset).
 *
 * Fetching from the closest replica (KIP-392). Every Fetch carries the consumer's rackId
 * (client.rack). When a leader answers a partition with a preferredReadReplica, that partition's
 * next fetches go to that broker, which serves records up to its own high watermark, until it
 * answers with an error or a failed request (then back to the leader; OFFSET_OUT_OF_RANGE from
 * it does not reset the position: the leader is asked first, as the Java client and KafkaJS do),
 * or until metadataMaxAge (metadata.max.age.ms, default 300000) has passed since the leader named
 * it, when the leader is asked again. A replica the metadata no longer lists as online is skipped.
 *
 * Auto-commit (default on) commits the next offset to read (last processed + 1) after processing,
 * every autoCommitInterval ms (default 5000) or autoCommitThreshold records, before partitions
 * are revoked, and on stop. Every OffsetCommit carries the member id and generation of when it
 * was asked for (commits go one at a time, and stop() lets the queued ones out before
 * LeaveGroup). A running consumer between generations (joining, or its partitions lost) commits
 * nothing: commitOffsets fails with ILLEGAL_GENERATION (UNKNOWN_MEMBER_ID without a member id),
 * as the Java client's CommitFailedException. A consumer that is not running commits as a tool
 * outside the group does (generation -1), which the coordinator takes only while the group is empty.
 */
import type { TopicPartitions } from '../events';
import { cooperativeSticky, range, roundRobin, sticky } from '../group/assignors';
import { groupByTopic, type TopicPartition } from '../group/assignors/common';
import type { Assignor } from '../group/assignors/types';
import type { TimerHandle } from '../ports';
import { errorName, type ErrorName } from '../protocol/errors';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, type FetchRequest, type OffsetCommitRequest } from '../protocol/messages';
import { toKafkaBuffer, type KafkaBuffer } from './buffer';
import { Cluster, METADATA_REFRESH_ERRORS, groupBy, type ClientRuntime } from './cluster';
import { ConsumerGroup, JoinCancelled, NOTHING_OWNED, REJOIN_ERRORS, describeGroups, type GroupDescription } from './consumerGroup';
import { KafkaJSNonRetriableError, KafkaProtocolError, isRetriableError, kafkaErrorType, partitionError } from './errors';
import { InstrumentationEmitter, createLogger, type Logger } from './instrumentation';
import { decodeFetchedBatches, type FetchedRecord } from './partitionReader';
import { Backoff, retryPolicy, sleep, type RetryOptions } from './retry';

export const CONSUMER_EVENTS = {
  HEARTBEAT: 'consumer.heartbeat',
  COMMIT_OFFSETS: 'consumer.commit_offsets',
  GROUP_JOIN: 'consumer.group_join',
  FETCH_START: 'consumer.fetch_start',
  FETCH: 'consumer.fetch',
  START_BATCH_PROCESS: 'consumer.start_batch_process',
  END_BATCH_PROCESS: 'consumer.end_batch_process',
  CONNECT: 'consumer.connect',
  DISCONNECT: 'consumer.disconnect',
  STOP: 'consumer.stop',
  CRASH: 'consumer.crash',
  REBALANCING: 'consumer.rebalancing',
  RECEIVED_UNSUBSCRIBED_TOPICS: 'consumer.received_unsubscribed_topics',
  REQUEST: 'consumer.network.request',
  REQUEST_TIMEOUT: 'consumer.network.request_timeout',
  REQUEST_QUEUE_SIZE: 'consumer.network.request_queue_size',
} as const;

/**
 * A partition assigner as `partitionAssigners` takes it: an Assignor, or (as KafkaJS's
 * `PartitionAssigners.roundRobin`) a function of the consumer's context returning one.
 */
export type PartitionAssigner = Assignor | ((context: { groupId: string; logger: Logger }) => Assignor);

/**
 * KafkaJS's `PartitionAssigners`: roundRobin (KafkaJS's default, protocol 'RoundRobinAssigner'),
 * and beyond KafkaJS the Java client's range, sticky and cooperativeSticky (KIP-429).
 */
export const PartitionAssigners = {
  roundRobin: (): Assignor => roundRobin,
  range: (): Assignor => range,
  sticky: (): Assignor => sticky,
  cooperativeSticky: (): Assignor => cooperativeSticky,
};

export interface ConsumerConfig {
  groupId: string;
  /** session.timeout.ms: default 30000. The coordinator removes a member that has not heartbeated for this long. */
  sessionTimeout?: number;
  /** rebalance.timeout.ms (max.poll.interval.ms in Java): default 60000. How long the coordinator waits for members to rejoin. */
  rebalanceTimeout?: number;
  /** heartbeat.interval.ms: default 3000. */
  heartbeatInterval?: number;
  /**
   * Default 300000. How old the topics' metadata may get before the fetch loop refreshes it (a
   * topic that gained partitions then makes the group rebalance), and how long a preferred read
   * replica (KIP-392) is used before asking the leader again.
   */
  metadataMaxAge?: number;
  /** Default true, as KafkaJS. */
  allowAutoTopicCreation?: boolean;
  /** Default 1048576. */
  maxBytesPerPartition?: number;
  /** Default 1. */
  minBytes?: number;
  /** Default 10485760. */
  maxBytes?: number;
  /** Default 5000. */
  maxWaitTimeInMs?: number;
  retry?: RetryOptions & { restartOnFailure?: (error: Error) => Promise<boolean> };
  readUncommitted?: boolean;
  /** Default for subscribe() when it does not say. Default false. */
  fromBeginning?: boolean;
  maxInFlightRequests?: number;
  /** client.rack: sent with every Fetch so the leader can name a replica in this rack (KIP-392), and in the subscription. */
  rackId?: string;
  /**
   * partition.assignment.strategy: PartitionAssigners (or Assignors), in preference order.
   * Default [PartitionAssigners.roundRobin]. Checked when the consumer is made.
   */
  partitionAssigners?: PartitionAssigner[] | unknown[];
}

export interface IHeaders { [key: string]: KafkaBuffer | null | (KafkaBuffer | null)[] | undefined }

export interface KafkaMessage {
  magicByte: number;
  attributes: number;
  timestamp: string;
  offset: string;
  key: KafkaBuffer | null;
  value: KafkaBuffer | null;
  headers: IHeaders;
  isControlRecord: boolean;
  batchContext: Record<string, unknown>;
  size: number;
}

export interface Batch {
  topic: string;
  partition: number;
  highWatermark: string;
  messages: KafkaMessage[];
  isEmpty(): boolean;
  firstOffset(): string | null;
  lastOffset(): string;
  offsetLag(): string;
  offsetLagLow(): string;
}

export interface TopicPartitionOffset { topic: string; partition: number; offset: string; metadata?: string | null }
export interface OffsetsByTopicPartition { topics: { topic: string; partitions: { partition: string; offset: string }[] }[] }

export interface EachMessagePayload {
  topic: string;
  partition: number;
  message: KafkaMessage;
  heartbeat(): Promise<void>;
  pause(): () => void;
}

export interface EachBatchPayload {
  batch: Batch;
  resolveOffset(offset: string): void;
  heartbeat(): Promise<void>;
  commitOffsetsIfNecessary(offsets?: OffsetsByTopicPartition): Promise<void>;
  uncommittedOffsets(): OffsetsByTopicPartition;
  isRunning(): boolean;
  isStale(): boolean;
  pause(): () => void;
}

export interface ConsumerRunConfig {
  autoCommit?: boolean;
  autoCommitInterval?: number | null;
  autoCommitThreshold?: number | null;
  eachBatchAutoResolve?: boolean;
  partitionsConsumedConcurrently?: number;
  eachMessage?: (payload: EachMessagePayload) => Promise<void> | void;
  eachBatch?: (payload: EachBatchPayload) => Promise<void> | void;
}

export type ConsumerSubscribeTopics = { topics: (string | RegExp)[]; fromBeginning?: boolean };
export type ConsumerSubscribeTopic = { topic: string | RegExp; fromBeginning?: boolean };

interface PartitionState {
  topic: string;
  partition: number;
  key: string;
  fromBeginning: boolean;
  /** Next offset to fetch; null until resolved from the committed offset or a reset. */
  position: number | null;
  /** Next offset to commit (last processed + 1), or null when nothing was processed. */
  resolved: number | null;
  /** What the coordinator holds, when known. */
  committed: number | null;
  committedKnown: boolean;
  /** Records processed since this partition's offset was last committed (towards autoCommitThreshold). */
  uncommitted: number;
  /** Where to go when there is no usable position: set by OFFSET_OUT_OF_RANGE or seek(-1/-2). */
  reset: 'earliest' | 'latest' | null;
  /** Bumped by seek and resets: results fetched before are stale. */
  epoch: number;
  /** In a fetch round (fetching or processing). */
  busy: boolean;
  /** Not fetched before this time (after an error). */
  blockedUntil: number;
  /** The broker whose fetch failed: the wait holds only while the partition would go there again (null: wherever). */
  blockedOn: number | null;
  /** The handler's failures on this partition, for the wait before the record is tried again. */
  failures: Backoff;
  /**
   * This partition's Fetch failures in a row, for the wait before it is fetched again. Per
   * partition, so errors on other partitions (a broker that died, one still recovering) never
   * lengthen it; reset by the next clean fetch of the partition.
   */
  fetchFailures: Backoff;
  highWatermark: number;
  /** KIP-392: the broker the leader said to fetch from instead, until `expireAt`. */
  readReplica: { nodeId: number; expireAt: number } | null;
}

/**
 * One partition's offset to commit. `state` is the partition's state when the commit was asked
 * for: the answer updates that one, never a later assignment of the same partition; `count` is
 * how many of its processed records the offset covers.
 */
interface CommitEntry { topic: string; partition: number; offset: number; state: PartitionState | undefined; count: number }

const ABORTED = Symbol('aborted');

export class Consumer {
  readonly events = CONSUMER_EVENTS;
  private readonly cluster: Cluster;
  private readonly instrumentation: InstrumentationEmitter;
  private readonly groupId: string;
  private readonly group: ConsumerGroup;
  private readonly assignors: Assignor[];
  /** COOPERATIVE only when every assignor is (as the Java client picks the common protocol). */
  private readonly cooperative: boolean;
  private readonly subscriptions: { topic: string | RegExp; fromBeginning: boolean }[] = [];
  private readonly states = new Map<string, PartitionState>();
  private readonly pausedTopics = new Map<string, Set<number> | 'all'>();
  private readonly pendingSeeks = new Map<string, string>();
  private readonly rounds = new Map<number, Promise<void>>();
  private running = false;
  private connected = false;
  private loop: Promise<void> | null = null;
  /** Resolved to end the fetches in flight (stop, or partitions being revoked); then replaced. */
  private abortSignal: Promise<typeof ABORTED> = Promise.resolve(ABORTED);
  private signalAbort: () => void = () => {};
  /** Bumped by every run(): loops and timers of an earlier run end. */
  private runId = 0;
  private groupWakeUp: (() => void) | null = null;
  private firstJoin: { resolve: () => void; reject: (error: unknown) => void } | null = null;
  /** Set when the group must be joined again, and why; `lost`: the partitions are already gone (no commit). */
  private rejoin: { reason: string; lost: boolean } | null = null;
  /** From the decision to rejoin until the assignment is applied: group errors then change nothing. */
  private rebalancing = false;
  /** What the last SyncGroup gave this member, and its generation (kept through an eager rebalance for sticky assignors). */
  private assignment: TopicPartitions[] = [];
  private assignmentGeneration = -1;
  /** The subscribed topics' partition counts the last assignment was made with (KafkaJS's partitionsPerSubscribedTopic). */
  private partitionCounts = new Map<string, number>();
  private heartbeatTimer: TimerHandle | null = null;
  private heartbeatInFlight: Promise<void> | null = null;
  private lastHeartbeatAt = 0;
  private wakeUp: (() => void) | null = null;
  private wakePending = false;
  private run_: Required<Omit<ConsumerRunConfig, 'eachMessage' | 'eachBatch' | 'autoCommitInterval' | 'autoCommitThreshold'>> & ConsumerRunConfig = {
    autoCommit: true, eachBatchAutoResolve: true, partitionsConsumedConcurrently: 1,
  };
  private slots = 1;
  private readonly slotWaiters: (() => void)[] = [];
  private lastCommitAt = 0;
  private commitChain: Promise<void> = Promise.resolve();
  /** From run() until stop() has left the group: a commit then needs a generation. */
  private inGroup = false;

  constructor(private readonly runtime: ClientRuntime, private readonly config: ConsumerConfig) {
    this.groupId = config.groupId;
    this.instrumentation = new InstrumentationEmitter(runtime.context.clock, Object.values(CONSUMER_EVENTS));
    this.cluster = new Cluster(runtime, retryPolicy(runtime.retry, config.retry), {
      onRequest: (info) => this.instrumentation.emit(info.timedOut ? CONSUMER_EVENTS.REQUEST_TIMEOUT : CONSUMER_EVENTS.REQUEST, {
        apiKey: 0, apiName: info.apiName, apiVersion: 0, broker: info.broker, clientId: runtime.clientId, correlationId: 0,
        createdAt: info.createdAt, sentAt: info.createdAt, pendingDuration: 0, duration: info.duration, size: 0,
      }),
    });
    this.assignors = resolveAssignors(config.partitionAssigners, { groupId: config.groupId, logger: this.logger() });
    this.cooperative = this.assignors.every((a) => a.rebalanceProtocol === 'COOPERATIVE');
    this.group = new ConsumerGroup(this.cluster, {
      groupId: config.groupId, clientId: runtime.clientId, rackId: config.rackId ?? null, assignors: this.assignors,
      rebalanceProtocol: this.cooperative ? 'COOPERATIVE' : 'EAGER',
      sessionTimeout: config.sessionTimeout ?? 30_000, rebalanceTimeout: config.rebalanceTimeout ?? 60_000,
    });
  }

  /** A fresh abort signal for the fetches started from now on. */
  private newAbortSignal(): void {
    this.abortSignal = new Promise((resolve) => {
      this.signalAbort = () => resolve(ABORTED);
    });
  }

  private get heartbeatInterval(): number {
    return this.config.heartbeatInterval ?? 3000;
  }

  private get clock() {
    return this.runtime.context.clock;
  }

  private get maxWaitTimeInMs(): number {
    return this.config.maxWaitTimeInMs ?? 5000;
  }

  on(eventName: string, listener: (event: any) => void): () => void {
    return this.instrumentation.on(eventName, listener);
  }

  logger(): Logger {
    return createLogger((level, message) => this.cluster.log(level, message), 'Consumer');
  }

  async connect(): Promise<void> {
    await this.cluster.retry(() => this.cluster.refreshMetadata());
    this.connected = true;
    this.instrumentation.emit(CONSUMER_EVENTS.CONNECT);
  }

  async disconnect(): Promise<void> {
    await this.stop();
    if (this.connected) {
      this.connected = false;
      this.instrumentation.emit(CONSUMER_EVENTS.DISCONNECT);
    }
  }

  async subscribe(subscription: ConsumerSubscribeTopic | ConsumerSubscribeTopics): Promise<void> {
    if (this.running) throw new KafkaJSNonRetriableError('Cannot subscribe to topic while consumer is running');
    const topics = 'topics' in subscription && Array.isArray(subscription.topics)
      ? subscription.topics
      : [(subscription as ConsumerSubscribeTopic).topic];
    if (topics.length === 0 || topics.some((t) => !(t instanceof RegExp) && (typeof t !== 'string' || t.length === 0))) {
      throw new KafkaJSNonRetriableError(`Invalid topic ${topics.map(String).join(', ')}`);
    }
    const fromBeginning = subscription.fromBeginning ?? this.config.fromBeginning ?? false;
    for (const topic of topics) {
      const same = this.subscriptions.findIndex((s) => String(s.topic) === String(topic));
      if (same >= 0) this.subscriptions.splice(same, 1);
      this.subscriptions.push({ topic, fromBeginning });
    }
    const names = topics.filter((t): t is string => typeof t === 'string');
    if (names.length > 0) {
      this.cluster.addTargetTopics(names);
    }
  }

  /**
   * Joins the group and starts consuming. Resolves once the first assignment is in (or, as
   * KafkaJS, once a retriable failure to join crashed and a restart is scheduled); rejects when
   * joining failed for good.
   */
  async run(config: ConsumerRunConfig = {}): Promise<void> {
    if (this.running) {
      this.cluster.log('warn', 'consumer#run was called while the consumer is already running');
      return;
    }
    if (!config.eachMessage && !config.eachBatch) throw new KafkaJSNonRetriableError('consumer#run needs eachMessage or eachBatch');
    this.run_ = {
      autoCommit: true, eachBatchAutoResolve: true, ...config,
      partitionsConsumedConcurrently: Math.max(1, Math.floor(config.partitionsConsumedConcurrently ?? 1)),
    };
    this.slots = this.run_.partitionsConsumedConcurrently;
    this.running = true;
    this.inGroup = true;
    const runId = ++this.runId;
    this.newAbortSignal();
    this.lastCommitAt = this.clock.now();
    this.rejoin = { reason: 'the consumer started', lost: false };
    const joined = new Promise<void>((resolve, reject) => {
      this.firstJoin = { resolve, reject };
    });
    void this.runGroup(runId);
    this.loop = this.fetchLoop().catch((error) => {
      this.cluster.reportError('Consumer', error);
      this.instrumentation.emit(CONSUMER_EVENTS.CRASH, { error, groupId: this.groupId, restart: false });
    });
    this.scheduleHeartbeat(runId, this.heartbeatInterval);
    await joined;
  }

  /**
   * Stops fetching, waits for the handler to finish the record in hand, commits (autoCommit),
   * leaves the group (LeaveGroup: the others rebalance at once), emits STOP.
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.heartbeatTimer?.cancel();
    this.heartbeatTimer = null;
    this.signalAbort();
    this.wake();
    this.groupWakeUp?.();
    await this.loop;
    this.loop = null;
    // A rebalance in progress is not waited for: it sees the consumer stopped and does nothing more.
    const states = [...this.states.values()];
    this.states.clear();
    if (this.run_.autoCommit) await this.commitStates(states, false);
    if (states.length > 0) this.emitRebalance('revoke', groupByTopic(states));
    this.assignment = [];
    this.assignmentGeneration = -1;
    this.rejoin = null;
    this.firstJoin?.resolve();
    this.firstJoin = null;
    // Commits still queued go out in this generation, before the member leaves it.
    await this.commitChain;
    await this.group.leave().catch((error) => this.cluster.reportError('LeaveGroup', error));
    this.inGroup = false;
    this.instrumentation.emit(CONSUMER_EVENTS.STOP);
  }

  async commitOffsets(offsets: TopicPartitionOffset[]): Promise<void> {
    const entries = offsets.map((o) => {
      const offset = Number(o.offset);
      if (!Number.isSafeInteger(offset)) throw new KafkaJSNonRetriableError(`Invalid offset ${String(o.offset)} for ${o.topic}-${o.partition}`);
      return this.commitEntry(o.topic, o.partition, offset);
    });
    await this.commit(entries, true);
  }

  /** An offset the application commits, with the partition's state as it is now. */
  private commitEntry(topic: string, partition: number, offset: number): CommitEntry {
    const state = this.states.get(stateKey(topic, partition));
    const coversProcessed = state !== undefined && state.resolved !== null && offset >= state.resolved;
    return { topic, partition, offset, state, count: coversProcessed ? state.uncommitted : 0 };
  }

  seek({ topic, partition, offset }: { topic: string; partition: number; offset: string | number }): void {
    const n = Number(offset);
    if (!Number.isSafeInteger(n) || n < -2) throw new KafkaJSNonRetriableError(`Invalid offset "${String(offset)}" to seek`);
    const state = this.states.get(stateKey(topic, partition));
    if (!state) {
      // Before run(): applied once the partition is assigned.
      this.pendingSeeks.set(stateKey(topic, partition), String(offset));
      return;
    }
    this.applySeek(state, n);
    this.wake();
  }

  pause(topicPartitions: { topic: string; partitions?: number[] }[]): void {
    for (const { topic, partitions } of topicPartitions) {
      if (typeof topic !== 'string') throw new KafkaJSNonRetriableError(`Invalid topic ${String(topic)}`);
      if (!partitions) {
        this.pausedTopics.set(topic, 'all');
        continue;
      }
      const current = this.pausedTopics.get(topic);
      if (current === 'all') continue;
      const set = current ?? new Set<number>();
      for (const p of partitions) set.add(p);
      this.pausedTopics.set(topic, set);
    }
  }

  resume(topicPartitions: { topic: string; partitions?: number[] }[]): void {
    for (const { topic, partitions } of topicPartitions) {
      const current = this.pausedTopics.get(topic);
      if (!current) continue;
      if (!partitions) {
        this.pausedTopics.delete(topic);
        continue;
      }
      const set = current === 'all'
        ? new Set([...this.states.values()].filter((s) => s.topic === topic).map((s) => s.partition))
        : current;
      for (const p of partitions) set.delete(p);
      if (set.size === 0) this.pausedTopics.delete(topic);
      else this.pausedTopics.set(topic, set);
    }
    this.wake();
  }

  paused(): { topic: string; partitions: number[] }[] {
    const out: { topic: string; partitions: number[] }[] = [];
    for (const [topic, set] of this.pausedTopics) {
      const partitions = set === 'all'
        ? [...this.states.values()].filter((s) => s.topic === topic).map((s) => s.partition)
        : [...set];
      out.push({ topic, partitions: partitions.sort((a, b) => a - b) });
    }
    return out;
  }

  /** The group as its coordinator describes it (DescribeGroups), in KafkaJS's shape. */
  async describeGroup(): Promise<GroupDescription> {
    const [group] = await describeGroups(this.cluster, [this.groupId]);
    return group;
  }

  // ---- Group membership --------------------------------------------------------------------

  private alive(runId: number): boolean {
    return this.running && this.runId === runId;
  }

  /** Rebalances whenever asked to, for one run. */
  private async runGroup(runId: number): Promise<void> {
    const restartBackoff = new Backoff(this.cluster.policy, this.runtime.context.random);
    while (this.alive(runId)) {
      if (!this.rejoin) {
        await new Promise<void>((resolve) => {
          this.groupWakeUp = resolve;
        });
        this.groupWakeUp = null;
        continue;
      }
      try {
        await this.rebalance(runId);
        restartBackoff.reset();
        this.firstJoin?.resolve();
        this.firstJoin = null;
      } catch (error) {
        this.rebalancing = false;
        if (!this.alive(runId) || error instanceof JoinCancelled) continue;
        const restart = await this.crash(error);
        if (!this.alive(runId)) continue;
        if (!restart) {
          const first = this.firstJoin;
          this.firstJoin = null;
          await this.stop();
          first?.reject(error);
          return;
        }
        this.firstJoin?.resolve();
        this.firstJoin = null;
        await sleep(this.clock, restartBackoff.next());
        this.rejoin ??= { reason: 'restarting after a crash', lost: false };
      }
    }
  }

  /** Asks for a rebalance (the group loop runs it). `lost`: this member's partitions already belong to others. */
  private requestRejoin(reason: string, lost = false): void {
    if (!this.running) return;
    this.rejoin = { reason, lost: lost || (this.rejoin?.lost ?? false) };
    this.groupWakeUp?.();
  }

  /**
   * The group answered a heartbeat or a commit with `error`. REBALANCE_IN_PROGRESS: rejoin.
   * UNKNOWN_MEMBER_ID: rejoin as a new member; ILLEGAL_GENERATION: rejoin; with both the
   * partitions are lost (already given to others). During a rebalance nothing changes: the join
   * in progress settles it (its JoinGroup or SyncGroup gets the same answer).
   */
  private onGroupError(error: ErrorName, operation: string): void {
    if (!REJOIN_ERRORS.has(error) || this.rebalancing || !this.running) return;
    if (error === 'REBALANCE_IN_PROGRESS') {
      this.requestRejoin(`${operation}: the group is rebalancing`);
      return;
    }
    this.group.membershipLost(error);
    this.cluster.log('warn', `${operation} for group ${this.groupId}: ${error}, this member's partitions were reassigned; joining again`);
    this.requestRejoin(`${operation}: ${error}`, true);
  }

  /**
   * One rebalance: revoke (eager: everything; a member whose partitions were lost: everything,
   * without committing), JoinGroup and SyncGroup (where the membership may turn out lost: the
   * same again), then take the new assignment.
   */
  private async rebalance(runId: number): Promise<void> {
    const request = this.rejoin;
    if (!request) return;
    this.rejoin = null;
    this.rebalancing = true;
    const started = this.clock.now();
    this.instrumentation.emit(CONSUMER_EVENTS.REBALANCING, { groupId: this.groupId, memberId: this.group.memberId });
    this.cluster.log('info', `group ${this.groupId}: rebalancing (${request.reason})`);
    if (request.lost) await this.partitionsLost(request.reason);
    else if (!this.cooperative) await this.revoke([...this.states.values()], true);
    if (!this.alive(runId)) return;
    this.emitRebalance('join', this.cooperative ? groupByTopic([...this.states.values()]) : []);
    const topics = await this.subscribedTopics();
    if (!this.alive(runId)) return;
    const owned = { partitions: this.assignment, generation: this.assignmentGeneration };
    const generation = await this.group.join(topics, owned, () => !this.alive(runId), (error) => this.partitionsLost(error));
    if (!this.alive(runId)) return;

    const subscribed = new Set(topics);
    const unsubscribed = generation.assignment.filter((tp) => !subscribed.has(tp.topic));
    if (unsubscribed.length > 0) {
      this.instrumentation.emit(CONSUMER_EVENTS.RECEIVED_UNSUBSCRIBED_TOPICS, {
        groupId: this.groupId, generationId: generation.generationId, memberId: generation.memberId,
        assignedTopics: generation.assignment.map((tp) => tp.topic), topicsSubscribed: topics,
        topicsNotSubscribed: unsubscribed.map((tp) => tp.topic),
      });
    }
    // Each partition once (a leader could name one twice), by topic, sorted.
    const assignedByKey = new Map<string, TopicPartition>();
    for (const { topic, partitions } of generation.assignment) {
      if (subscribed.has(topic)) for (const partition of partitions) assignedByKey.set(stateKey(topic, partition), { topic, partition });
    }
    const assigned = groupByTopic([...assignedByKey.values()]);
    // Cooperative: only what is no longer ours goes, after SyncGroup (committed with the new generation).
    const revoked = [...this.states.values()].filter((s) => !assignedByKey.has(s.key));
    await this.revoke(revoked, true);
    if (!this.alive(runId)) return;
    for (const { topic, partitions } of assigned) {
      const fromBeginning = this.subscriptionOf(topic)?.fromBeginning ?? false;
      for (const partition of partitions) {
        const key = stateKey(topic, partition);
        if (this.states.has(key)) continue;
        this.states.set(key, {
          topic, partition, key, fromBeginning, position: null, resolved: null, committed: null,
          committedKnown: false, uncommitted: 0, reset: null, epoch: 0, busy: false, blockedUntil: 0, blockedOn: null,
          failures: new Backoff(this.cluster.policy, this.runtime.context.random),
          fetchFailures: new Backoff(this.cluster.policy, this.runtime.context.random), highWatermark: -1, readReplica: null,
        });
      }
    }
    for (const [key, offset] of this.pendingSeeks) {
      const state = this.states.get(key);
      if (state) this.applySeek(state, Number(offset));
    }
    this.pendingSeeks.clear();
    this.assignment = assigned;
    this.assignmentGeneration = generation.generationId;
    // Only the group's leader refreshed metadata to assign: a member assigned partitions it does not know refreshes first (as KafkaJS).
    if (assigned.some(({ topic, partitions }) => partitions.some((p) => p >= this.cluster.partitions(topic).length))) {
      await this.cluster.refreshMetadata().catch(() => undefined);
    }
    this.partitionCounts = new Map(topics.map((topic) => [topic, this.cluster.partitions(topic).length]));
    this.lastHeartbeatAt = this.clock.now();
    this.rebalancing = false;
    this.emitRebalance('assign', assigned);
    this.instrumentation.emit(CONSUMER_EVENTS.GROUP_JOIN, {
      groupId: this.groupId, memberId: generation.memberId, leaderId: generation.leaderId, isLeader: generation.isLeader,
      memberAssignment: Object.fromEntries(assigned.map((tp) => [tp.topic, [...tp.partitions]])),
      groupProtocol: generation.protocol, duration: this.clock.now() - started,
    });
    // KIP-429: what was revoked is handed out by a second rebalance, which this member starts.
    if (this.cooperative && revoked.length > 0) this.requestRejoin('partitions were revoked: a follow-up rebalance assigns them');
    this.wake();
  }

  /**
   * KafkaJS's checkForStaleAssignment: once the metadata is metadataMaxAge old it is refreshed,
   * and if a subscribed topic now has more (or fewer) partitions than the assignment was made
   * with, the member rejoins, so the new partitions get an owner.
   */
  private async checkPartitionCounts(): Promise<void> {
    if (this.rebalancing || this.rejoin || this.partitionCounts.size === 0) return;
    await this.cluster.refreshMetadataIfNecessary(this.config.metadataMaxAge ?? 300_000);
    if (this.rebalancing || this.rejoin) return;
    for (const [topic, count] of this.partitionCounts) {
      const now = this.cluster.partitions(topic).length;
      if (now > 0 && now !== count) {
        this.partitionCounts = new Map();
        this.requestRejoin(`topic ${topic} has ${now} partitions, not ${count}: the metadata changed`);
        return;
      }
    }
  }

  /**
   * Gives up partitions: no more fetching or processing them (the record in hand finishes),
   * then their processed offsets are committed (autoCommit, unless `commit` is false: the
   * partitions were already reassigned).
   */
  private async revoke(states: PartitionState[], commit: boolean): Promise<void> {
    if (states.length === 0) return;
    for (const state of states) {
      if (this.states.get(state.key) === state) this.states.delete(state.key);
      state.readReplica = null;
    }
    const inFlight = [...this.rounds.values()];
    this.signalAbort();
    this.newAbortSignal();
    await Promise.allSettled(inFlight);
    if (commit && this.run_.autoCommit) await this.commitStates(states, false);
    this.emitRebalance('revoke', groupByTopic(states));
  }

  /**
   * The membership is gone (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION): the partitions already
   * belong to others, so they are LOST (Java's onPartitionsLost): dropped without committing, as
   * a commit now could only put a newer owner's offset back. Nothing is claimed in the next
   * JoinGroup.
   */
  private async partitionsLost(reason: string): Promise<void> {
    this.assignment = NOTHING_OWNED.partitions;
    this.assignmentGeneration = NOTHING_OWNED.generation;
    const states = [...this.states.values()];
    if (states.length === 0) return;
    const lost = groupByTopic(states).map((tp) => `${tp.topic} [${tp.partitions.join(', ')}]`).join(', ');
    this.cluster.log('warn', `group ${this.groupId}: partitions lost (${reason}): ${lost}; dropped without committing`);
    await this.revoke(states, false);
  }

  /** A crash of the group protocol (out of retries): KafkaJS's consumer.crash, and whether to restart. */
  private async crash(error: unknown): Promise<boolean> {
    this.cluster.reportError('Consumer', error);
    let restart = isRetriableError(error);
    const restartOnFailure = this.config.retry?.restartOnFailure;
    if (restart && restartOnFailure) restart = await restartOnFailure(error as Error).then(Boolean, () => false);
    if (restart) {
      // As KafkaJS, the crashed consumer gives up its partitions and membership, then joins anew.
      await this.revoke([...this.states.values()], true);
      this.assignment = [];
      this.assignmentGeneration = -1;
      await this.group.leave('restarting after a crash').catch(() => this.group.reset());
    }
    this.instrumentation.emit(CONSUMER_EVENTS.CRASH, { error, groupId: this.groupId, restart });
    return restart;
  }

  private subscriptionOf(topic: string): { topic: string | RegExp; fromBeginning: boolean } | undefined {
    return this.subscriptions.find((s) => (typeof s.topic === 'string' ? s.topic === topic : matches(s.topic, topic)));
  }

  /** The subscribed topics by name (patterns matched against the cluster's topics), made sure to exist. */
  private async subscribedTopics(): Promise<string[]> {
    const allowAutoTopicCreation = this.config.allowAutoTopicCreation ?? true;
    const names = new Set(this.subscriptions.map((s) => s.topic).filter((t): t is string => typeof t === 'string'));
    if (this.subscriptions.some((s) => s.topic instanceof RegExp)) {
      const all = await this.cluster.retry(() => this.cluster.refreshMetadata(null));
      for (const topic of all.topics) {
        if (topic.isInternal || topic.errorCode !== 0) continue;
        if (this.subscriptions.some((s) => s.topic instanceof RegExp && matches(s.topic, topic.name))) names.add(topic.name);
      }
    }
    await this.cluster.ensureTopics([...names], allowAutoTopicCreation);
    return [...names].sort();
  }

  private emitRebalance(phase: 'join' | 'revoke' | 'assign', partitions: TopicPartitions[]): void {
    this.runtime.context.events({
      type: 'consumer-rebalance', time: this.clock.now(), node: this.cluster.node, groupId: this.groupId,
      memberId: this.group.memberId, generationId: this.group.generationId, phase, partitions,
      protocol: this.group.protocol ?? this.assignors[0].name,
    });
  }

  // ---- Heartbeats --------------------------------------------------------------------------

  /** The background heartbeat: every heartbeatInterval since the last one sent, while this run lasts. */
  private scheduleHeartbeat(runId: number, delay: number): void {
    this.heartbeatTimer = this.clock.setTimer(Math.max(0, delay), () => {
      if (!this.alive(runId)) return;
      const wait = this.lastHeartbeatAt + this.heartbeatInterval - this.clock.now();
      if (wait > 0) {
        this.scheduleHeartbeat(runId, wait);
        return;
      }
      void this.heartbeat().finally(() => {
        if (this.alive(runId)) this.scheduleHeartbeat(runId, this.heartbeatInterval);
      });
    });
  }

  /** heartbeat() in eachMessage / eachBatch: sends one if one is due. */
  private async heartbeatIfDue(): Promise<void> {
    if (this.clock.now() - this.lastHeartbeatAt >= this.heartbeatInterval) await this.heartbeat();
  }

  /** One Heartbeat, unless one is in flight or the member is between generations (joining). */
  private heartbeat(): Promise<void> {
    if (this.heartbeatInFlight) return this.heartbeatInFlight;
    const { generationId, memberId } = this.group;
    if (!this.running || generationId < 0 || !memberId || this.group.joining) return Promise.resolve();
    this.lastHeartbeatAt = this.clock.now();
    const run = (async () => {
      try {
        const error = await this.group.heartbeat();
        if (this.group.generationId !== generationId || this.group.memberId !== memberId) return; // answered for a past generation
        if (error) this.onGroupError(error, 'Heartbeat');
        else this.instrumentation.emit(CONSUMER_EVENTS.HEARTBEAT, { groupId: this.groupId, memberId, groupGenerationId: generationId });
      } catch (error) {
        if (this.running) this.cluster.reportError('Heartbeat', error);
      } finally {
        this.heartbeatInFlight = null;
      }
    })();
    this.heartbeatInFlight = run;
    return run;
  }

  private applySeek(state: PartitionState, offset: number): void {
    state.epoch++;
    state.blockedUntil = 0;
    state.failures.reset();
    if (offset >= 0) {
      state.position = offset;
      state.resolved = offset;
      state.reset = null;
    } else {
      state.position = null;
      state.reset = offset === EARLIEST_TIMESTAMP ? 'earliest' : 'latest';
    }
  }

  // ---- Fetch loop --------------------------------------------------------------------------

  private wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.wakePending = true;
  }

  /** Waits `ms`, or less when woken (a round ended, resume, seek, stop). */
  private idle(ms: number): Promise<void> {
    if (this.wakePending || !this.running) {
      this.wakePending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        timer.cancel();
        this.wakeUp = null;
        resolve();
      };
      const timer = this.clock.setTimer(Math.max(0, ms), done);
      this.wakeUp = done;
    });
  }

  private isPaused(state: PartitionState): boolean {
    const paused = this.pausedTopics.get(state.topic);
    return paused === 'all' || (paused !== undefined && paused.has(state.partition));
  }

  private async fetchLoop(): Promise<void> {
    const positionBackoff = new Backoff(this.cluster.policy, this.runtime.context.random);
    let positionRetryAt = 0;
    let positioning: Promise<void> | null = null;
    while (this.running) {
      await this.checkPartitionCounts();
      const now = this.clock.now();
      let delay = this.maxWaitTimeInMs;
      // Positions are looked up in the background: a partition without a leader must not hold up the others.
      const unpositioned = [...this.states.values()].some((s) => s.position === null && !s.busy);
      if (unpositioned && !positioning) {
        if (now >= positionRetryAt) {
          positioning = this.resolvePositions().then(
            () => positionBackoff.reset(),
            async (error) => {
              if (!this.running) return;
              this.cluster.reportError('ListOffsets', error);
              if (METADATA_REFRESH_ERRORS.has(kafkaErrorType(error)!)) await this.cluster.refreshMetadata().catch(() => undefined);
              positionRetryAt = this.clock.now() + positionBackoff.next();
            },
          ).finally(() => {
            positioning = null;
            this.wake();
          });
        } else {
          delay = Math.min(delay, positionRetryAt - now);
        }
      }
      let leaderless = false;
      let staleReplica = false;
      const byNode = new Map<number, PartitionState[]>();
      for (const state of this.states.values()) {
        if (state.busy || state.position === null || this.isPaused(state)) continue;
        const leader = this.cluster.findLeader(state.topic, state.partition);
        // After a failed fetch the partition waits, unless the metadata now sends it to another broker (its new leader).
        if (state.blockedUntil > now && (state.blockedOn === null || leader < 0 || this.readReplicaOf(state, leader, now) === state.blockedOn)) {
          delay = Math.min(delay, state.blockedUntil - now);
          continue;
        }
        if (leader < 0) {
          leaderless = true;
          continue;
        }
        const node = this.readReplicaOf(state, leader, now);
        if (node === leader && state.readReplica && state.readReplica.nodeId !== leader) staleReplica = true;
        if (this.rounds.has(node)) continue; // fetched with that broker's next round
        const group = byNode.get(node);
        if (group) group.push(state);
        else byNode.set(node, [state]);
      }
      for (const [node, states] of byNode) {
        const round = this.fetchRound(node, states).catch((error: unknown) => {
          // What a round did not handle itself (an answer it could not read): its partitions wait, never spin.
          if (!this.running) return;
          this.cluster.reportError('Fetch', error);
          for (const state of states) this.block([state], state.fetchFailures.next(), node);
        }).finally(() => {
          this.rounds.delete(node);
          this.wake();
        });
        this.rounds.set(node, round);
      }
      if (leaderless) {
        await this.cluster.refreshMetadata().catch(() => undefined);
        delay = Math.min(delay, this.cluster.policy.initialRetryTime);
      } else if (staleReplica) {
        await this.cluster.refreshMetadata().catch(() => undefined);
      }
      await this.idle(delay);
    }
    await Promise.allSettled([...this.rounds.values(), positioning]);
  }

  /**
   * The broker to fetch a partition from (KIP-392): its preferred read replica while that is
   * fresh, else the leader. A replica the metadata does not have online among the partition's
   * replicas is not used (and the preference kept, as KafkaJS does, so the caller refreshes the
   * metadata, as the Java client does, rather than ask the leader again and again).
   */
  private readReplicaOf(state: PartitionState, leader: number, now: number): number {
    const preferred = state.readReplica;
    if (!preferred) return leader;
    if (now >= preferred.expireAt) {
      state.readReplica = null;
      return leader;
    }
    const meta = this.cluster.partitions(state.topic).find((p) => p.partitionIndex === state.partition);
    const online = this.cluster.brokers.has(preferred.nodeId) && !!meta
      && meta.replicaNodes.includes(preferred.nodeId) && !meta.offlineReplicas.includes(preferred.nodeId);
    return online ? preferred.nodeId : leader;
  }

  /**
   * Committed offsets, else the reset policy, for every partition without a position. Answers
   * go to the states asked about: a partition revoked and assigned again meanwhile has a new
   * state, which looks its position up itself.
   */
  private async resolvePositions(): Promise<void> {
    const need = [...this.states.values()].filter((s) => s.position === null && !s.busy);
    if (need.length === 0) return;
    const unknown = need.filter((s) => !s.committedKnown && s.reset === null);
    if (unknown.length > 0) {
      const topics = [...groupBy(unknown, (s) => s.topic)].map(([name, states]) => ({ name, partitionIndexes: states.map((s) => s.partition) }));
      const response = await this.cluster.coordinatorRequest(this.groupId, 'OffsetFetch', { groupId: this.groupId, topics },
        (r) => (r.errorCode !== 0 ? errorName(r.errorCode) : firstPartitionError(r.topics.flatMap((t) => t.partitions))));
      if (response.errorCode !== 0) throw new KafkaProtocolError(errorName(response.errorCode), `OffsetFetch for group ${this.groupId}`);
      const asked = new Map(unknown.map((s) => [s.key, s]));
      for (const topic of response.topics) {
        for (const p of topic.partitions) {
          if (p.errorCode !== 0) throw partitionError(errorName(p.errorCode), topic.name, p.partitionIndex, 'OffsetFetch');
          const state = asked.get(stateKey(topic.name, p.partitionIndex));
          if (!state) continue;
          state.committed = p.committedOffset >= 0 ? p.committedOffset : null;
          state.committedKnown = true;
        }
      }
    }
    for (const state of need) {
      if (state.position === null && state.reset === null && state.committedKnown && state.committed !== null) state.position = state.committed;
    }
    const toReset = need.filter((s) => s.position === null && (s.reset !== null || s.committedKnown));
    if (toReset.length === 0) return;
    await this.cluster.retry(async () => {
      const pending = toReset.filter((s) => s.position === null);
      let firstError: unknown = null;
      await Promise.all([...groupBy(pending, (s) => this.cluster.findLeader(s.topic, s.partition))].map(async ([leader, states]) => {
        if (leader < 0) {
          firstError ??= partitionError('LEADER_NOT_AVAILABLE', states[0].topic, states[0].partition, 'no leader known');
          return;
        }
        const topics = [...groupBy(states, (s) => s.topic)].map(([name, group]) => ({
          name,
          partitions: group.map((s) => ({
            partitionIndex: s.partition, currentLeaderEpoch: -1,
            timestamp: (s.reset ?? (s.fromBeginning ? 'earliest' : 'latest')) === 'earliest' ? EARLIEST_TIMESTAMP : LATEST_TIMESTAMP,
          })),
        }));
        try {
          const response = await this.cluster.request(leader, 'ListOffsets', { replicaId: -1, isolationLevel: 0, topics });
          const asked = new Map(states.map((s) => [s.key, s]));
          for (const topic of response.topics) {
            for (const p of topic.partitions) {
              const state = asked.get(stateKey(topic.name, p.partitionIndex));
              if (!state || state.position !== null) continue;
              if (p.errorCode !== 0) {
                firstError ??= partitionError(errorName(p.errorCode), topic.name, p.partitionIndex, 'ListOffsets');
                continue;
              }
              state.position = p.offset;
              state.reset = null;
            }
          }
        } catch (error) {
          firstError ??= error;
        }
      }));
      if (firstError) throw firstError;
    });
  }

  /** One Fetch to `node` (a leader, or a preferred read replica) for `states`, then their records. */
  private async fetchRound(node: number, states: PartitionState[]): Promise<void> {
    const aborted = this.abortSignal;
    for (const state of states) state.busy = true;
    const epochs = new Map(states.map((s) => [s, s.epoch] as const));
    // Partitions read from a preferred replica: any failure there sends them back to the leader.
    const viaReplica = new Set(states.filter((s) => s.readReplica?.nodeId === node));
    const started = this.clock.now();
    try {
      this.instrumentation.emit(CONSUMER_EVENTS.FETCH_START, { nodeId: node });
      const request: FetchRequest = {
        replicaId: -1, maxWaitMs: this.maxWaitTimeInMs, minBytes: this.config.minBytes ?? 1,
        maxBytes: this.config.maxBytes ?? 10_485_760, isolationLevel: 0,
        ...(this.config.rackId ? { rackId: this.config.rackId } : {}),
        topics: [...groupBy(states, (s) => s.topic)].map(([topic, group]) => ({
          topic,
          partitions: group.map((s) => ({
            partition: s.partition, currentLeaderEpoch: -1, fetchOffset: s.position!, lastFetchedEpoch: -1,
            logStartOffset: -1, partitionMaxBytes: this.config.maxBytesPerPartition ?? 1_048_576,
          })),
        })),
      };
      let response;
      try {
        response = await Promise.race([
          this.cluster.request(node, 'Fetch', request, this.runtime.requestTimeout + this.maxWaitTimeInMs),
          aborted,
        ]);
      } catch (error) {
        if (!this.running) return;
        for (const state of viaReplica) state.readReplica = null;
        this.cluster.reportError('Fetch', error);
        await this.cluster.refreshMetadata().catch(() => undefined);
        for (const state of states) this.block([state], state.fetchFailures.next(), node);
        return;
      }
      // Stopped, or partitions revoked: these partitions are fetched again if they are still ours.
      if (response === ABORTED || !this.running) return;
      let refresh = false;
      const work: { state: PartitionState; epoch: number; messages: KafkaMessage[]; nextOffset: number }[] = [];
      for (const topic of response.responses) {
        for (const p of topic.partitions) {
          const state = this.states.get(stateKey(topic.topic, p.partitionIndex));
          if (!state || !epochs.has(state) || epochs.get(state) !== state.epoch) continue;
          if (p.errorCode !== 0) {
            const type = errorName(p.errorCode);
            if (viaReplica.has(state)) state.readReplica = null;
            if (type === 'OFFSET_OUT_OF_RANGE' && viaReplica.has(state)) {
              // The replica may only lag behind: the leader decides whether the offset is really out of range.
              continue;
            }
            if (type === 'OFFSET_OUT_OF_RANGE') {
              this.cluster.log('warn', `offset ${state.position} out of range for ${state.topic}-${state.partition}: resetting to ${state.fromBeginning ? 'earliest' : 'latest'}`);
              state.epoch++;
              state.position = null;
              state.reset = state.fromBeginning ? 'earliest' : 'latest';
            } else {
              if (METADATA_REFRESH_ERRORS.has(type)) refresh = true;
              else this.cluster.reportError('Fetch', partitionError(type, state.topic, state.partition, `from broker ${node}`));
              this.block([state], state.fetchFailures.next(), node);
            }
            continue;
          }
          state.highWatermark = p.highWatermark;
          this.notePreferredReadReplica(state, node, p.preferredReadReplica);
          try {
            // Batches may start before the position; control batches hold no messages; a trailing partial batch comes whole next time.
            const decoded = await decodeFetchedBatches(p.records, state.position!);
            // Records before a corrupt batch are still delivered; the bad batch then comes first and fails alone.
            if (decoded.error && decoded.records.length === 0 && decoded.nextOffset === state.position) {
              throw partitionError('CORRUPT_MESSAGE', state.topic, state.partition, decoded.error);
            }
            state.fetchFailures.reset();
            if (decoded.records.length > 0) work.push({ state, epoch: epochs.get(state)!, messages: decoded.records.map(toMessage), nextOffset: decoded.nextOffset });
            else if (decoded.nextOffset > state.position!) state.position = decoded.nextOffset; // only control or filtered records
          } catch (error) {
            this.cluster.reportError('Fetch', error);
            this.block([state], state.fetchFailures.next(), node);
          }
        }
      }
      if (refresh) await this.cluster.refreshMetadata().catch(() => undefined);
      this.instrumentation.emit(CONSUMER_EVENTS.FETCH, { numberOfBatches: work.length, duration: this.clock.now() - started, nodeId: node });
      await Promise.all(work.map((w) => this.withSlot(() => this.processBatch(w.state, w.epoch, w.messages, w.nextOffset))));
      if (this.running) await this.commitOffsetsIfNecessary();
    } finally {
      for (const state of states) state.busy = false;
    }
  }

  /**
   * A partition's answer named a preferred read replica (absent or -1 changes nothing: a
   * replica's own answers do not name one). The leader naming itself means read from the leader.
   */
  private notePreferredReadReplica(state: PartitionState, node: number, preferred: number | undefined): void {
    if (preferred === undefined || preferred < 0) return;
    if (preferred === this.cluster.findLeader(state.topic, state.partition)) {
      state.readReplica = null;
      return;
    }
    // A replica naming itself does not extend its own lease: only another broker's (the leader's) word does.
    if (node === preferred && state.readReplica?.nodeId === preferred) return;
    state.readReplica = { nodeId: preferred, expireAt: this.clock.now() + (this.config.metadataMaxAge ?? 300_000) };
  }

  /** Holds partitions back for `ms`; `failedOn`: only while they would be fetched from that broker again. */
  private block(states: PartitionState[], ms: number, failedOn: number | null = null): void {
    const until = this.clock.now() + ms;
    for (const state of states) {
      if (until >= state.blockedUntil) state.blockedOn = failedOn;
      state.blockedUntil = Math.max(state.blockedUntil, until);
    }
  }

  private async withSlot<T>(task: () => Promise<T>): Promise<T> {
    while (this.slots === 0) await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    this.slots--;
    try {
      return await task();
    } finally {
      this.slots++;
      this.slotWaiters.shift()?.();
    }
  }

  private stillCurrent(state: PartitionState, epoch: number): boolean {
    return this.running && state.epoch === epoch && this.states.get(state.key) === state;
  }

  private async processBatch(state: PartitionState, epoch: number, messages: KafkaMessage[], nextOffset: number): Promise<void> {
    if (!this.stillCurrent(state, epoch) || this.isPaused(state)) return;
    const { topic, partition } = state;
    const batch = makeBatch(topic, partition, state.highWatermark, messages);
    const info = {
      topic, partition, highWatermark: batch.highWatermark, offsetLag: batch.offsetLag(), offsetLagLow: batch.offsetLagLow(),
      batchSize: messages.length, firstOffset: batch.firstOffset(), lastOffset: batch.lastOffset(),
    };
    const started = this.clock.now();
    this.instrumentation.emit(CONSUMER_EVENTS.START_BATCH_PROCESS, info);
    const heartbeat = () => this.heartbeatIfDue();
    const pause = () => {
      this.pause([{ topic, partitions: [partition] }]);
      return () => this.resume([{ topic, partitions: [partition] }]);
    };
    const { eachMessage, eachBatch } = this.run_;
    if (eachMessage) {
      let completed = true;
      for (const message of messages) {
        if (!this.stillCurrent(state, epoch) || this.isPaused(state)) {
          completed = false;
          break;
        }
        const offset = Number(message.offset);
        try {
          await eachMessage({ topic, partition, message, heartbeat, pause });
        } catch (error) {
          this.handlerFailed(state, epoch, error, offset);
          return;
        }
        if (state.epoch === epoch) {
          state.position = offset + 1;
          state.resolved = offset + 1;
          state.uncommitted++;
        }
        if (this.running) await this.commitOffsetsIfNecessary();
      }
      if (completed && state.epoch === epoch && nextOffset > (state.position ?? -1)) state.position = nextOffset;
    } else if (eachBatch) {
      const last = Number(messages[messages.length - 1].offset);
      const resolveOffset = (offset: string) => {
        const next = Number(offset) + 1;
        if (state.epoch !== epoch || !Number.isSafeInteger(next)) return;
        if (state.resolved === null || next > state.resolved) {
          state.uncommitted++;
          state.resolved = next;
        }
        if (state.position === null || next > state.position) state.position = next;
      };
      try {
        await eachBatch({
          batch, resolveOffset, heartbeat, pause,
          commitOffsetsIfNecessary: async (offsets?: OffsetsByTopicPartition) => {
            if (offsets) {
              await this.commit(offsets.topics.flatMap((t) => t.partitions.map((p) => this.commitEntry(t.topic, Number(p.partition), Number(p.offset)))), true);
            } else {
              await this.commitOffsetsIfNecessary();
            }
          },
          uncommittedOffsets: () => this.uncommittedOffsets(),
          isRunning: () => this.running,
          isStale: () => !this.stillCurrent(state, epoch),
        });
      } catch (error) {
        this.handlerFailed(state, epoch, error, state.resolved !== null && state.resolved > Number(messages[0].offset) ? state.resolved : Number(messages[0].offset));
        return;
      }
      if (this.run_.eachBatchAutoResolve) resolveOffset(String(last));
      // Unresolved records are fetched again, as in KafkaJS; fully resolved skips trailing filtered ones.
      if (state.epoch === epoch && state.position !== null && state.position > last) state.position = Math.max(state.position, nextOffset);
    }
    state.failures.reset();
    this.instrumentation.emit(CONSUMER_EVENTS.END_BATCH_PROCESS, { ...info, duration: this.clock.now() - started });
  }

  /** The handler threw: report, then retry from `restartOffset` after a backoff. */
  private handlerFailed(state: PartitionState, epoch: number, error: unknown, restartOffset: number): void {
    this.cluster.reportError(this.run_.eachMessage ? 'eachMessage' : 'eachBatch', error);
    this.instrumentation.emit(CONSUMER_EVENTS.CRASH, { error, groupId: this.groupId, restart: true });
    if (state.epoch !== epoch) return;
    state.position = restartOffset;
    this.block([state], state.failures.next());
  }

  // ---- Committing --------------------------------------------------------------------------

  private async commitOffsetsIfNecessary(): Promise<void> {
    // Between generations nothing can be committed: the next assignment decides what is ours.
    if (!this.run_.autoCommit || this.group.generationId < 0) return;
    const threshold = this.run_.autoCommitThreshold;
    const interval = this.run_.autoCommitInterval ?? 5000;
    const uncommitted = () => [...this.states.values()].reduce((n, s) => n + s.uncommitted, 0);
    const due = (threshold != null && threshold > 0 && uncommitted() >= threshold) || this.clock.now() - this.lastCommitAt >= interval;
    if (!due) return;
    await this.commitResolved().catch((error) => this.cluster.reportError('OffsetCommit', error));
  }

  /** Commits every assigned partition's resolved offset the coordinator does not have yet. */
  private commitResolved(): Promise<void> {
    const entries = resolvedEntries([...this.states.values()]);
    if (entries.length === 0) {
      this.lastCommitAt = this.clock.now();
      return Promise.resolve();
    }
    return this.commit(entries, true);
  }

  /**
   * Commits what was processed of partitions being given up; a failure is reported, not thrown
   * (and, with `rejoinOnError` false, starts no rebalance: one is already under way or over).
   */
  private async commitStates(states: PartitionState[], rejoinOnError: boolean): Promise<void> {
    const entries = resolvedEntries(states);
    if (entries.length === 0 || this.group.generationId < 0) return;
    await this.commit(entries, rejoinOnError).catch((error) => this.cluster.reportError('OffsetCommit', error));
  }

  /**
   * One OffsetCommit at a time, in order, so a later commit never lands before an earlier one,
   * each with the generation and member id of now: one that waits in line (behind a slow
   * commit, or while stop() leaves the group) must not go out in another generation, or as a
   * commit from outside the group.
   */
  private commit(entries: CommitEntry[], rejoinOnError: boolean): Promise<void> {
    const { generationId, memberId } = this.group;
    if (this.inGroup && generationId < 0) {
      return Promise.reject(new KafkaProtocolError(memberId ? 'ILLEGAL_GENERATION' : 'UNKNOWN_MEMBER_ID',
        `OffsetCommit for group ${this.groupId}: this consumer is between generations of its group (joining, or its partitions were lost); nothing committed`));
    }
    const member = generationId >= 0 ? { generationId, memberId } : { generationId: -1, memberId: '' };
    const run = this.commitChain.then(() => this.sendCommit(entries, member, rejoinOnError));
    this.commitChain = run.catch(() => undefined);
    return run;
  }

  /**
   * OffsetCommit as `member` (generation -1 and '' from a consumer outside the group, which the
   * coordinator takes only while the group is empty). REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION
   * and UNKNOWN_MEMBER_ID mean the offsets were not committed and the member must rejoin.
   */
  private async sendCommit(entries: CommitEntry[], member: { generationId: number; memberId: string }, rejoinOnError: boolean): Promise<void> {
    if (entries.length === 0) return;
    const { generationId, memberId } = member;
    const body: OffsetCommitRequest = {
      groupId: this.groupId, generationIdOrMemberEpoch: generationId, memberId,
      topics: [...groupBy(entries, (e) => e.topic)].map(([name, group]) => ({
        name,
        partitions: group.map((e) => ({ partitionIndex: e.partition, committedOffset: e.offset, committedLeaderEpoch: -1, committedMetadata: null })),
      })),
    };
    const response = await this.cluster.coordinatorRequest(this.groupId, 'OffsetCommit', body,
      (r) => firstPartitionError(r.topics.flatMap((t) => t.partitions)));
    for (const topic of response.topics) {
      for (const p of topic.partitions) {
        if (p.errorCode === 0) continue;
        const error = errorName(p.errorCode);
        if (rejoinOnError && generationId === this.group.generationId) this.onGroupError(error, 'OffsetCommit');
        throw partitionError(error, topic.name, p.partitionIndex, `OffsetCommit for group ${this.groupId}`);
      }
    }
    for (const { state, offset, count } of entries) {
      if (!state) continue;
      state.committed = offset;
      state.committedKnown = true;
      state.uncommitted = Math.max(0, state.uncommitted - count);
    }
    this.lastCommitAt = this.clock.now();
    this.instrumentation.emit(CONSUMER_EVENTS.COMMIT_OFFSETS, {
      groupId: this.groupId, memberId, groupGenerationId: generationId,
      topics: [...groupBy(entries, (e) => e.topic)].map(([topic, group]) => ({
        topic, partitions: group.map((e) => ({ partition: String(e.partition), offset: String(e.offset) })),
      })),
    });
  }

  private uncommittedOffsets(): OffsetsByTopicPartition {
    const pending = [...this.states.values()].filter((s) => s.resolved !== null && s.resolved !== s.committed);
    return {
      topics: [...groupBy(pending, (s) => s.topic)].map(([topic, group]) => ({
        topic, partitions: group.map((s) => ({ partition: String(s.partition), offset: String(s.resolved) })),
      })),
    };
  }
}

const stateKey = (topic: string, partition: number): string => `${topic}\0${partition}`;

const resolvedEntries = (states: PartitionState[]): CommitEntry[] => states
  .filter((s) => s.resolved !== null && s.resolved !== s.committed)
  .map((s) => ({ topic: s.topic, partition: s.partition, offset: s.resolved!, state: s, count: s.uncommitted }));

/** `partitionAssigners` as Assignors: factories are called, KafkaJS-style custom assigners are refused by name. */
function resolveAssignors(assigners: readonly unknown[] | undefined, context: { groupId: string; logger: Logger }): Assignor[] {
  const list = assigners && assigners.length > 0 ? assigners : [PartitionAssigners.roundRobin];
  return list.map((assigner) => {
    const assignor = (typeof assigner === 'function' ? assigner(context) : assigner) as Assignor | undefined;
    if (!assignor || typeof assignor.name !== 'string' || typeof assignor.assign !== 'function'
      || (assignor.rebalanceProtocol !== 'EAGER' && assignor.rebalanceProtocol !== 'COOPERATIVE')) {
      throw new KafkaJSNonRetriableError(`Unsupported partition assigner ${String((assignor as { name?: unknown } | undefined)?.name)}: use PartitionAssigners.roundRobin, range, sticky or cooperativeSticky, or an Assignor ({ name, rebalanceProtocol, assign(members, partitionsPerTopic) })`);
    }
    return assignor;
  });
}

function matches(pattern: RegExp, name: string): boolean {
  pattern.lastIndex = 0;
  return pattern.test(name);
}

function firstPartitionError(partitions: { errorCode: number }[]): ReturnType<typeof errorName> | undefined {
  const failed = partitions.find((p) => p.errorCode !== 0);
  return failed ? errorName(failed.errorCode) : undefined;
}

function toMessage(record: FetchedRecord): KafkaMessage {
  const header = record.batch;
  const headers: IHeaders = {};
  for (const h of record.headers) {
    const value = toKafkaBuffer(h.value);
    const existing = headers[h.key];
    if (existing === undefined) headers[h.key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else headers[h.key] = [existing, value];
  }
  return {
    magicByte: 2,
    attributes: 0,
    timestamp: String(record.timestamp),
    offset: String(record.offset),
    key: toKafkaBuffer(record.key),
    value: toKafkaBuffer(record.value),
    headers,
    isControlRecord: false,
    batchContext: {
      firstOffset: String(header.baseOffset), firstTimestamp: String(header.baseTimestamp),
      partitionLeaderEpoch: header.partitionLeaderEpoch, inTransaction: header.isTransactional, isControlBatch: header.isControl,
      lastOffsetDelta: header.lastOffsetDelta, producerId: String(header.producerId), producerEpoch: header.producerEpoch,
      firstSequence: header.baseSequence, maxTimestamp: String(header.maxTimestamp),
      timestampType: header.timestampType === 'LogAppendTime' ? 1 : 0, magicByte: 2,
    },
    size: record.sizeInBytes,
  };
}

function makeBatch(topic: string, partition: number, highWatermark: number, messages: KafkaMessage[]): Batch {
  const hw = Math.max(highWatermark, 0);
  const batch: Batch = {
    topic, partition, highWatermark: String(highWatermark), messages,
    isEmpty: () => messages.length === 0,
    firstOffset: () => (messages.length > 0 ? messages[0].offset : null),
    lastOffset: () => (messages.length > 0 ? messages[messages.length - 1].offset : String(hw - 1)),
    offsetLag: () => (messages.length === 0 ? '0' : String(Math.max(0, hw - 1 - Number(batch.lastOffset())))),
    offsetLagLow: () => (messages.length === 0 ? '0' : String(Math.max(0, hw - 1 - Number(batch.firstOffset())))),
  };
  return batch;
}
