import type { Address, NodeContext, TimerHandle } from '../ports';
import type { ControllerConfig } from '../config';
import { controllerAddress } from '../config';
import { Rpc } from '../common/rpc';
import { SerialQueue } from '../common/serial';
import { KafkaProtocolError, asKafkaError, errorCode } from '../protocol/errors';
import {
  CLUSTER_METADATA_TOPIC,
  type ApiKey, type BrokerHeartbeatRequest, type BrokerHeartbeatResponse, type BrokerRegistrationRequest,
  type BrokerRegistrationResponse, type CreateTopicsRequest, type CreateTopicsResponse, type DeleteTopicsRequest,
  type DeleteTopicsResponse, type FetchRequest, type AlterPartitionRequest, type AlterPartitionResponse,
  type ElectLeadersRequest, type ElectLeadersResponse, type AllocateProducerIdsRequest, type AllocateProducerIdsResponse,
  type VoteRequest, type BeginQuorumEpochRequest, type EndQuorumEpochRequest, type FetchSnapshotRequest,
  type IncrementalAlterConfigsRequest, type IncrementalAlterConfigsResponse, type CreatePartitionsRequest, type CreatePartitionsResponse,
  CONSUMER_OFFSETS_TOPIC,
} from '../protocol/messages';
import { MetadataImage, type PartitionRegistration, type TopicImage } from '../metadata/image';
import { decodeMetadataRecord, type MetadataRecord } from '../metadata/records';
import { UnifiedLog } from '../storage/unifiedLog';
import { decodeRecords } from '../storage/recordBatch';
import { placeReplicas } from './replicaPlacement';
import { validateReplicaAssignment, validateTopicConfigs, validateTopicName } from './topicValidation';
import { electLeader } from './partitionChanges';
import { RaftClient, SNAPSHOT_KEY, type MetadataSnapshot } from '../raft/raftClient';
import { allocateProducerIds } from './producerIds';
import { configChangeRecords } from './configChanges';
import { uuid } from '../common/uuid';

/** metadata.version feature level written at bootstrap (3.7-IV4 in Kafka's numbering). */
const METADATA_VERSION = 19;
const SESSION_CHECK_INTERVAL_MS = 1000;


/** How long a write waits for the quorum to commit it. */
const COMMIT_TIMEOUT_MS = 5000;

/** What only the active controller answers; the others say NOT_CONTROLLER. */
const CONTROLLER_APIS = new Set<ApiKey>(['BrokerRegistration', 'BrokerHeartbeat', 'CreateTopics', 'CreatePartitions', 'DeleteTopics', 'AlterPartition', 'ElectLeaders', 'AllocateProducerIds', 'IncrementalAlterConfigs']);

/** NOT_CONTROLLER in the shape of each API's response, so the sender tries another controller. */
function notController(api: ApiKey, body: unknown, leaderId: number | null): unknown {
  const code = errorCode('NOT_CONTROLLER');
  const message = `not the active controller${leaderId !== null ? ` (the quorum leader is ${leaderId})` : ''}`;
  switch (api) {
    case 'BrokerRegistration': return { errorCode: code, brokerEpoch: -1 };
    case 'BrokerHeartbeat': return { errorCode: code, isCaughtUp: false, isFenced: true, shouldShutDown: false };
    case 'CreateTopics': return { topics: (body as CreateTopicsRequest).topics.map((t) => ({ name: t.name, topicId: '', errorCode: code, errorMessage: message, numPartitions: -1, replicationFactor: -1 })) };
    case 'DeleteTopics': return { responses: (body as DeleteTopicsRequest).topicNames.map((name) => ({ name, errorCode: code, errorMessage: message })) };
    case 'CreatePartitions': return { results: (body as CreatePartitionsRequest).topics.map((t) => ({ name: t.name, errorCode: code, errorMessage: message })) };
    case 'AlterPartition': return { errorCode: code, topics: [] };
    case 'ElectLeaders': return { errorCode: code, replicaElectionResults: [] };
    case 'IncrementalAlterConfigs': return { responses: (body as IncrementalAlterConfigsRequest).resources.map((r) => ({ errorCode: code, errorMessage: message, resourceType: r.resourceType, resourceName: r.resourceName })) };
    default: return { errorCode: code, producerIdStart: -1, producerIdLen: -1 };
  }
}

type ElectionKind = 'clean' | 'unclean' | 'preferred' | 'offline';

/**
 * The KRaft controller: the single writer of `__cluster_metadata`. Every command becomes
 * metadata records; a record is applied to the image only once it is durable in the log
 * (with one controller, durable is committed). Brokers read the log with Fetch, exactly
 * as KRaft observers do, and replay it into the same MetadataImage.
 *
 * This is the one-voter quorum; the Raft layer (KIP-595) for three voters wraps the same
 * `appendRecords` path.
 */
export class ControllerServer {
  readonly rpc: Rpc;
  private log!: UnifiedLog;
  private _image = MetadataImage.EMPTY;
  private readonly writes = new SerialQueue();
  private readonly lastHeartbeat = new Map<number, number>();
  private raft!: RaftClient;
  /** Committed records are applied to the image one batch at a time, in order. */
  private readonly applying = new SerialQueue();
  /** The Raft leader, with its own epoch's first record committed and applied: it may write. */
  private active = false;
  private readonly appliedWaiters = new Set<{ offset: number; resolve: () => void }>();
  private bytesSinceSnapshot = 0;
  private sessionTimer: TimerHandle | null = null;
  private rebalanceTimer: TimerHandle | null = null;
  /** Why each leader in the records being built changes, for the leader-election events. */
  private elections = new Map<string, { kind: ElectionKind; reason: string; previousLeader: number }>();
  private stopped = false;

  constructor(readonly config: ControllerConfig, private readonly ctx: NodeContext) {
    this.rpc = new Rpc(ctx.transport, ctx.clock, ctx.events);
  }

  get nodeId(): number {
    return this.config['node.id'];
  }
  get address(): Address {
    return controllerAddress(this.nodeId);
  }
  get image(): MetadataImage {
    return this._image;
  }

  async start(): Promise<void> {
    const { log, result } = await UnifiedLog.recover(CLUSTER_METADATA_TOPIC, 0, this.ctx.logStore);
    this.log = log;
    // A snapshot replaces the log before its end offset: start the image from it.
    const snapshot = (await this.ctx.metaStore.get<MetadataSnapshot>(SNAPSHOT_KEY)) ?? null;
    if (snapshot) {
      this._image = MetadataImage.fromSnapshot(snapshot.records, snapshot.endOffset - 1);
      if (log.logEndOffset < snapshot.endOffset) await log.truncateFullyAndStartAt(snapshot.endOffset);
      else await log.deleteBefore(snapshot.endOffset);
    }
    this.ctx.events({
      type: 'node-started', time: this.ctx.clock.now(), node: this.address, role: 'controller',
      recovered: { partitions: 1, batches: result.batches, bytes: result.bytes },
    });
    // The image holds only committed records: the quorum says what is committed (a restarted
    // controller learns it from the leader, or commits it itself once elected).
    this.raft = new RaftClient({
      clusterId: this.config['cluster.id'], nodeId: this.nodeId, voters: this.config['controller.quorum.voters'],
      'controller.quorum.election.timeout.ms': this.config['controller.quorum.election.timeout.ms'],
      'controller.quorum.fetch.timeout.ms': this.config['controller.quorum.fetch.timeout.ms'],
      'controller.quorum.election.backoff.max.ms': this.config['controller.quorum.election.backoff.max.ms'],
    }, { rpc: this.rpc, clock: this.ctx.clock, random: this.ctx.random, metaStore: this.ctx.metaStore, events: this.ctx.events, node: this.address }, log, {
      onCommit: (highWatermark) => { void this.applying.run(() => this.applyCommitted(highWatermark)); },
      onStateChange: () => this.onQuorumStateChange(),
      onSnapshotInstalled: (installed) => {
        void this.applying.run(async () => {
          this._image = MetadataImage.fromSnapshot(installed.records, installed.endOffset - 1);
          this.releaseAppliedWaiters();
          this.bytesSinceSnapshot = 0;
        });
      },
    }, snapshot);
    await this.raft.start();
    this.rpc.serve((from, api, body) => this.handle(from, api, body));
    this.scheduleSessionCheck();
    this.schedulePreferredElection();
  }

  /** Stops timers and networking (the simulation's kill; a worker is simply terminated). */
  stop(): void {
    this.stopped = true;
    this.active = false;
    this.sessionTimer?.cancel();
    this.rebalanceTimer?.cancel();
    this.raft?.stop();
    this.rpc.close();
  }

  get isActive(): boolean {
    return this.active;
  }

  /** Replays records that became committed into the image, in order. */
  private async applyCommitted(highWatermark: number): Promise<void> {
    const records: { offset: number; record: MetadataRecord }[] = [];
    for (const batch of this.log.batchesFrom(this._image.offset + 1)) {
      if (batch.baseOffset >= highWatermark) break;
      for (const record of await decodeRecords(batch.bytes)) {
        if (record.value && record.offset > this._image.offset && record.offset < highWatermark) records.push({ offset: record.offset, record: decodeMetadataRecord(record.value) });
      }
    }
    if (records.length === 0) return;
    const before = this._image;
    this._image = this._image.apply(records);
    this.bytesSinceSnapshot += records.reduce((sum, r) => sum + JSON.stringify(r.record).length, 0);
    await this.maybeSnapshot();
    // The leader's records are the log the page shows; followers replay the same silently.
    if (this.raft.state === 'Leader') {
      for (const { offset, record } of records) this.ctx.events({ type: 'metadata-record', time: this.ctx.clock.now(), node: this.address, offset, record });
      this.reportElections(before, records.map((r) => r.record));
    }
    this.releaseAppliedWaiters();
    this.onQuorumStateChange();
  }

  /** Becomes the active controller once leading with its own epoch committed; stops being it on any change. */
  private onQuorumStateChange(): void {
    const shouldBeActive = !this.stopped && this.raft.state === 'Leader' && this._image.offset >= 0 && this.raft.highWatermark > 0 && this._image.offset >= this.raft.highWatermark - 1;
    if (shouldBeActive && !this.active) {
      this.active = true;
      // Records before the log start live only in the snapshot: say it, so a page that reloaded still sees them.
      const snapshot = this.raft.currentSnapshot;
      if (snapshot && this.log.logStartOffset > 0) this.ctx.events({ type: 'metadata-snapshot', time: this.ctx.clock.now(), node: this.address, endOffset: snapshot.endOffset, epoch: snapshot.epoch, records: snapshot.records });
      // A new active controller gives every registered broker a fresh session, as Kafka's does.
      for (const id of this._image.brokers.keys()) this.lastHeartbeat.set(id, this.ctx.clock.now());
      if (this._image.metadataVersion === 0) void this.appendRecords(() => [{ type: 'FeatureLevelRecord', name: 'metadata.version', featureLevel: METADATA_VERSION }]).catch(() => undefined);
    } else if (!shouldBeActive && this.raft.state !== 'Leader') {
      this.active = false;
    }
    this.reportState();
  }

  /**
   * Every controller snapshots its own committed image once enough records have been applied
   * since the last (metadata.log.max.record.bytes.between.snapshots), and drops the log it covers;
   * a voter or broker that needs what was dropped fetches the snapshot (KIP-630).
   */
  private async maybeSnapshot(): Promise<void> {
    if (this.bytesSinceSnapshot < this.config['metadata.log.max.record.bytes.between.snapshots']) return;
    const endOffset = this._image.offset + 1;
    const snapshot = await this.raft.takeSnapshot(this._image.toSnapshotRecords(), endOffset);
    this.bytesSinceSnapshot = 0;
    this.ctx.events({ type: 'log', time: this.ctx.clock.now(), node: this.address, level: 'info', message: `wrote a metadata snapshot at offset ${endOffset} (epoch ${snapshot.epoch}, ${snapshot.records.length} records) and deleted the log before it` });
  }

  private releaseAppliedWaiters(): void {
    for (const waiter of this.appliedWaiters) {
      if (this._image.offset >= waiter.offset) {
        this.appliedWaiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  private waitApplied(offset: number): Promise<void> {
    if (this._image.offset >= offset) return Promise.resolve();
    return new Promise((resolve) => this.appliedWaiters.add({ offset, resolve }));
  }

  private handle(_from: Address, api: ApiKey, body: unknown): Promise<unknown> {
    if (!this.active && CONTROLLER_APIS.has(api)) return Promise.resolve(notController(api, body, this.raft.leaderId));
    switch (api) {
      case 'BrokerRegistration': return this.handleBrokerRegistration(body as BrokerRegistrationRequest);
      case 'BrokerHeartbeat': return this.handleBrokerHeartbeat(body as BrokerHeartbeatRequest);
      case 'CreateTopics': return this.handleCreateTopics(body as CreateTopicsRequest);
      case 'DeleteTopics': return this.handleDeleteTopics(body as DeleteTopicsRequest);
      case 'CreatePartitions': return this.handleCreatePartitions(body as CreatePartitionsRequest);
      case 'Fetch': return this.raft.handleFetch(body as FetchRequest);
      case 'Vote': return this.raft.handleVote(body as VoteRequest);
      case 'BeginQuorumEpoch': return this.raft.handleBeginQuorumEpoch(body as BeginQuorumEpochRequest);
      case 'EndQuorumEpoch': return this.raft.handleEndQuorumEpoch(body as EndQuorumEpochRequest);
      case 'FetchSnapshot': return Promise.resolve(this.raft.handleFetchSnapshot(body as FetchSnapshotRequest));
      case 'AlterPartition': return this.handleAlterPartition(body as AlterPartitionRequest);
      case 'ElectLeaders': return this.handleElectLeaders(body as ElectLeadersRequest);
      case 'AllocateProducerIds': return this.handleAllocateProducerIds(body as AllocateProducerIdsRequest);
      case 'IncrementalAlterConfigs': return this.handleIncrementalAlterConfigs(body as IncrementalAlterConfigsRequest);
      default: return Promise.resolve({ errorCode: errorCode('UNSUPPORTED_VERSION') });
    }
  }

  /**
   * Appends records built from the image at the moment of writing (so concurrent commands see
   * each other's effects), waits until the quorum has committed them and the image holds them,
   * and resolves with the offset of the first. Only the active controller writes.
   */
  appendRecords(build: (image: MetadataImage, nextOffset: number) => MetadataRecord[]): Promise<number> {
    return this.writes.run(async () => {
      if (this.stopped || !this.active) throw new KafkaProtocolError('NOT_CONTROLLER', `controller ${this.nodeId} is not the active controller`);
      // Build on everything in the log: an earlier write may still be waiting for the quorum.
      if (!(await this.raft.waitForCommit(this.log.logEndOffset - 1, COMMIT_TIMEOUT_MS))) throw this.commitFailure();
      await this.waitApplied(this.log.logEndOffset - 1);
      this.elections.clear();
      const records = build(this._image, this.log.logEndOffset);
      if (records.length === 0) return this.log.logEndOffset;
      const { firstOffset, lastOffset } = await this.raft.appendRecords(records);
      this.reportState();
      if (!(await this.raft.waitForCommit(lastOffset, COMMIT_TIMEOUT_MS))) throw this.commitFailure();
      await this.waitApplied(lastOffset);
      return firstOffset;
    });
  }

  private commitFailure(): KafkaProtocolError {
    return this.raft.state === 'Leader'
      ? new KafkaProtocolError('REQUEST_TIMED_OUT', `the controller quorum did not commit within ${COMMIT_TIMEOUT_MS} ms (no majority of ${this.config['controller.quorum.voters'].length} voters reachable)`)
      : new KafkaProtocolError('NOT_CONTROLLER', `controller ${this.nodeId} lost the quorum leadership before the write committed`);
  }

  private reportState(): void {
    if (!this.raft) return;
    this.ctx.events({
      type: 'controller-state', time: this.ctx.clock.now(), node: this.address, controllerId: this.nodeId, active: this.active && !this.stopped,
      epoch: this.raft.epoch, logEndOffset: this.log.logEndOffset, committedOffset: this.raft.highWatermark - 1,
    });
  }

  private async handleBrokerRegistration(request: BrokerRegistrationRequest): Promise<BrokerRegistrationResponse> {
    if (request.clusterId !== this.config['cluster.id']) return { errorCode: errorCode('INCONSISTENT_CLUSTER_ID'), brokerEpoch: -1 };
    const existing = this._image.brokers.get(request.brokerId);
    if (existing && existing.incarnationId === request.incarnationId) return { errorCode: 0, brokerEpoch: existing.epoch };
    // Kafka refuses a second incarnation while the old one still holds a live session.
    if (existing && !existing.fenced && this.hasLiveSession(request.brokerId)) {
      return { errorCode: errorCode('DUPLICATE_BROKER_REGISTRATION'), brokerEpoch: -1 };
    }
    let brokerEpoch = -1;
    await this.appendRecords((image, nextOffset) => {
      brokerEpoch = nextOffset; // Kafka's broker epoch is the offset of its registration record.
      const records: MetadataRecord[] = [];
      if (image.brokers.get(request.brokerId)?.fenced === false) {
        records.push(...this.fenceRecords(image, request.brokerId));
      }
      records.unshift({
        type: 'RegisterBrokerRecord', brokerId: request.brokerId, incarnationId: request.incarnationId, brokerEpoch,
        rack: request.rack, fenced: true, endPoints: request.listeners,
      });
      return records;
    });
    this.lastHeartbeat.set(request.brokerId, this.ctx.clock.now());
    return { errorCode: 0, brokerEpoch };
  }

  private async handleBrokerHeartbeat(request: BrokerHeartbeatRequest): Promise<BrokerHeartbeatResponse> {
    const broker = this._image.brokers.get(request.brokerId);
    if (!broker || broker.epoch !== request.brokerEpoch) {
      return { errorCode: errorCode('STALE_BROKER_EPOCH'), isCaughtUp: false, isFenced: true, shouldShutDown: false };
    }
    this.lastHeartbeat.set(request.brokerId, this.ctx.clock.now());
    // A broker is unfenced once it has replayed the metadata up to its own registration.
    const caughtUp = request.currentMetadataOffset >= broker.epoch;
    if (broker.fenced && caughtUp && !request.wantFence) {
      await this.appendRecords((image) => {
        const current = image.brokers.get(request.brokerId);
        if (!current || current.epoch !== request.brokerEpoch || !current.fenced) return [];
        return [{ type: 'UnfenceBrokerRecord', id: request.brokerId, epoch: request.brokerEpoch }, ...this.unfenceElections(image, request.brokerId)];
      });
    }
    const after = this._image.brokers.get(request.brokerId);
    return { errorCode: 0, isCaughtUp: caughtUp, isFenced: after?.fenced ?? true, shouldShutDown: false };
  }

  private hasLiveSession(brokerId: number): boolean {
    const last = this.lastHeartbeat.get(brokerId);
    return last !== undefined && this.ctx.clock.now() - last < this.config['broker.session.timeout.ms'];
  }

  private scheduleSessionCheck(): void {
    if (this.stopped) return;
    this.sessionTimer = this.ctx.clock.setTimer(SESSION_CHECK_INTERVAL_MS, () => {
      void this.fenceExpiredBrokers().then(() => this.electOfflinePartitions()).finally(() => this.scheduleSessionCheck());
    });
  }

  /** A broker that has not heartbeated within broker.session.timeout.ms is fenced. */
  private async fenceExpiredBrokers(): Promise<void> {
    if (!this.active) return;
    const expired = [...this._image.brokers.values()].filter((b) => !b.fenced && !this.hasLiveSession(b.id));
    for (const broker of expired) {
      await this.appendRecords((image) => (image.brokers.get(broker.id)?.fenced === false ? this.fenceRecords(image, broker.id) : [])).catch(() => undefined);
    }
  }

  /**
   * An offline partition whose ISR is all gone may still have a live out-of-sync replica: with
   * unclean.leader.election.enable it leads (Kafka's controller retries unclean elections too).
   */
  private async electOfflinePartitions(): Promise<void> {
    await this.appendRecords((image) => {
      const fenced = this.fencedBrokers(image, -1);
      const records: MetadataRecord[] = [];
      for (const { topic, partition } of partitionsOf(image)) {
        if (partition.leader !== -1 || !this.uncleanAllowed(image, topic.name) || partition.replicas.every((id) => fenced.has(id))) continue;
        const record = this.electionRecord(image, topic, partition, partition.isr, fenced, 'an offline partition has a live replica');
        if (record.leader !== -1) records.push(record);
      }
      return records;
    }).catch(() => undefined);
  }

  /** FenceBrokerRecord, the broker out of every ISR, and a new leader (or none) for every partition it led. */
  private fenceRecords(image: MetadataImage, brokerId: number): MetadataRecord[] {
    const broker = image.brokers.get(brokerId)!;
    const records: MetadataRecord[] = [{ type: 'FenceBrokerRecord', id: brokerId, epoch: broker.epoch }];
    const fenced = this.fencedBrokers(image, brokerId);
    for (const { topic, partition } of partitionsOf(image)) {
      if (!partition.isr.includes(brokerId) && partition.leader !== brokerId) continue;
      // Kafka keeps the last ISR member in the ISR, so it can come back as a clean leader.
      const isr = partition.isr.length > 1 ? partition.isr.filter((id) => id !== brokerId) : partition.isr;
      if (partition.leader !== brokerId) {
        if (isr.length !== partition.isr.length) records.push({ type: 'PartitionChangeRecord', topicId: topic.topicId, partitionId: partition.partition, isr });
        continue;
      }
      const reason = `broker ${brokerId} was fenced: no heartbeat for broker.session.timeout.ms = ${this.config['broker.session.timeout.ms']} ms`;
      records.push(this.electionRecord(image, topic, partition, isr, fenced, reason));
    }
    return records;
  }

  /** Offline partitions get a leader again when a broker returns: cleanly from the ISR, or (if the topic allows) uncleanly. */
  private unfenceElections(image: MetadataImage, brokerId: number): MetadataRecord[] {
    const records: MetadataRecord[] = [];
    const fenced = this.fencedBrokers(image, -1);
    fenced.delete(brokerId);
    for (const { topic, partition } of partitionsOf(image)) {
      if (partition.leader !== -1 || !partition.replicas.includes(brokerId)) continue;
      const record = this.electionRecord(image, topic, partition, partition.isr, fenced, `broker ${brokerId} is back (unfenced)`);
      if (record.leader !== -1) records.push(record);
    }
    return records;
  }

  private fencedBrokers(image: MetadataImage, alsoFenced: number): Set<number> {
    return new Set([alsoFenced, ...[...image.brokers.values()].filter((b) => b.fenced).map((b) => b.id)]);
  }

  private uncleanAllowed(image: MetadataImage, topic: string): boolean {
    const value = image.topics.get(topic)?.configs['unclean.leader.election.enable'];
    return value === undefined ? this.config['unclean.leader.election.enable'] : value === 'true';
  }

  /**
   * A leader for a partition whose leader is gone: the first live ISR member in assignment order;
   * if there is none and unclean.leader.election.enable allows it, the first live replica outside
   * the ISR, which becomes the whole ISR (what it lacks is lost); else none: the partition is offline.
   */
  private electionRecord(image: MetadataImage, topic: TopicImage, partition: PartitionRegistration, isr: number[], fenced: ReadonlySet<number>, reason: string): MetadataRecord & { type: 'PartitionChangeRecord' } {
    let leader = electLeader(partition.replicas, isr, fenced);
    let kind: ElectionKind = 'clean';
    let newIsr = isr;
    if (leader === -1 && this.uncleanAllowed(image, topic.name)) {
      leader = electLeader(partition.replicas, partition.replicas, fenced);
      if (leader !== -1) {
        kind = 'unclean';
        newIsr = [leader];
        reason += `; no in-sync replica is alive, and unclean.leader.election.enable=true lets out-of-sync broker ${leader} lead: records it never got are lost`;
      }
    }
    if (leader === -1) {
      kind = 'offline';
      reason += `; no live replica in the ISR [${isr}]${this.uncleanAllowed(image, topic.name) ? '' : ' (unclean.leader.election.enable=false)'}`;
    }
    this.elections.set(`${topic.topicId}:${partition.partition}`, { kind, reason, previousLeader: partition.leader });
    return { type: 'PartitionChangeRecord', topicId: topic.topicId, partitionId: partition.partition, leader, isr: newIsr };
  }

  private reportElections(before: MetadataImage, records: readonly MetadataRecord[]): void {
    for (const record of records) {
      if (record.type !== 'PartitionChangeRecord' || record.leader === undefined) continue;
      const name = this._image.topicNamesById.get(record.topicId);
      const after = name === undefined ? undefined : this._image.partition(name, record.partitionId);
      const previous = name === undefined ? undefined : before.partition(name, record.partitionId);
      const why = this.elections.get(`${record.topicId}:${record.partitionId}`);
      if (!after || after.leader === previous?.leader) continue;
      this.ctx.events({
        type: 'leader-election', time: this.ctx.clock.now(), node: this.address, topic: after.topic, partition: after.partition,
        previousLeader: why?.previousLeader ?? previous?.leader ?? -1, leader: after.leader, leaderEpoch: after.leaderEpoch, isr: after.isr,
        kind: why?.kind ?? (after.leader === -1 ? 'offline' : 'clean'), reason: why?.reason ?? 'leader changed',
      });
    }
  }

  // ---- ISR changes and elections -------------------------------------------------------------

  /** AlterPartition (KIP-497): a leader's ISR change, checked against the current partition state. */
  private async handleAlterPartition(request: AlterPartitionRequest): Promise<AlterPartitionResponse> {
    const broker = this._image.brokers.get(request.brokerId);
    if (!broker || broker.epoch !== request.brokerEpoch) return { errorCode: errorCode('STALE_BROKER_EPOCH'), topics: [] };
    const topics: AlterPartitionResponse['topics'] = [];
    for (const topicRequest of request.topics) {
      const results: AlterPartitionResponse['topics'][number]['partitions'] = [];
      topics.push({ topicId: topicRequest.topicId, partitions: results });
      for (const p of topicRequest.partitions) {
        const fail = (type: Parameters<typeof errorCode>[0]) => results.push({ partitionIndex: p.partitionIndex, errorCode: errorCode(type), leaderId: -1, leaderEpoch: -1, isr: [], partitionEpoch: -1 });
        try {
          await this.appendRecords((image) => {
            const name = image.topicNamesById.get(topicRequest.topicId);
            const current = name === undefined ? undefined : image.partition(name, p.partitionIndex);
            if (!current) throw new KafkaProtocolError('UNKNOWN_TOPIC_OR_PARTITION');
            // As ReplicationControlManager: a sender that is not the leader is a bad request; an epoch
            // newer than the controller's means this controller is behind.
            if (p.leaderEpoch < current.leaderEpoch) throw new KafkaProtocolError('FENCED_LEADER_EPOCH');
            if (p.leaderEpoch > current.leaderEpoch) throw new KafkaProtocolError('NOT_CONTROLLER');
            if (current.leader !== request.brokerId) throw new KafkaProtocolError('INVALID_REQUEST');
            if (p.partitionEpoch !== current.partitionEpoch) throw new KafkaProtocolError('INVALID_UPDATE_VERSION');
            if (!p.newIsr.includes(current.leader) || p.newIsr.some((id) => !current.replicas.includes(id)) || new Set(p.newIsr).size !== p.newIsr.length) throw new KafkaProtocolError('INVALID_REQUEST');
            // Only live, unfenced brokers may join the ISR (KIP-841).
            if (p.newIsr.some((id) => !current.isr.includes(id) && image.brokers.get(id)?.fenced !== false)) throw new KafkaProtocolError('INELIGIBLE_REPLICA');
            if (p.newIsr.join() === current.isr.join()) return [];
            return [{ type: 'PartitionChangeRecord', topicId: topicRequest.topicId, partitionId: p.partitionIndex, isr: p.newIsr }];
          });
          const name = this._image.topicNamesById.get(topicRequest.topicId)!;
          const now = this._image.partition(name, p.partitionIndex)!;
          results.push({ partitionIndex: p.partitionIndex, errorCode: 0, leaderId: now.leader, leaderEpoch: now.leaderEpoch, isr: now.isr, partitionEpoch: now.partitionEpoch });
        } catch (error) {
          fail(asKafkaError(error).type);
        }
      }
    }
    return { errorCode: 0, topics };
  }

  /**
   * ElectLeaders (kafka-leader-election.sh): preferred moves leadership back to the first
   * replica when it is alive and in sync; unclean gives an offline partition any live replica.
   */
  private async handleElectLeaders(request: ElectLeadersRequest): Promise<ElectLeadersResponse> {
    const results = new Map<string, { partitionId: number; errorCode: number; errorMessage: string | null }[]>();
    const wanted = (topic: string, partition: number) => request.topicPartitions === null || request.topicPartitions.some((t) => t.topic === topic && t.partitions.includes(partition));
    const note = (topic: string, partitionId: number, type: Parameters<typeof errorCode>[0], message: string | null) => {
      const list = results.get(topic) ?? [];
      list.push({ partitionId, errorCode: errorCode(type), errorMessage: message });
      results.set(topic, list);
    };
    try {
      await this.appendRecords((image) => {
        results.clear();
        const records: MetadataRecord[] = [];
        const fenced = this.fencedBrokers(image, -1);
        for (const { topic, partition } of partitionsOf(image)) {
          if (!wanted(topic.name, partition.partition) || (request.topicPartitions === null && topic.name.startsWith('__'))) continue;
          if (request.electionType === 0) {
            const preferred = partition.replicas[0];
            if (partition.leader === preferred) note(topic.name, partition.partition, 'ELECTION_NOT_NEEDED', 'Leader is already the preferred replica.');
            else if (!partition.isr.includes(preferred) || fenced.has(preferred)) note(topic.name, partition.partition, 'PREFERRED_LEADER_NOT_AVAILABLE', `Failed to elect leader: preferred replica ${preferred} is not alive and in sync`);
            else {
              records.push(this.preferredRecord(topic, partition, 'kafka-leader-election --election-type preferred (ElectLeaders)'));
              note(topic.name, partition.partition, 'NONE', null);
            }
          } else if (partition.leader !== -1) {
            note(topic.name, partition.partition, 'ELECTION_NOT_NEEDED', 'The partition has a leader.');
          } else {
            const leader = electLeader(partition.replicas, partition.replicas, fenced);
            if (leader === -1) note(topic.name, partition.partition, 'ELIGIBLE_LEADERS_NOT_AVAILABLE', 'No replica is alive.');
            else {
              this.elections.set(`${topic.topicId}:${partition.partition}`, { kind: 'unclean', previousLeader: -1, reason: `unclean election requested (ElectLeaders): out-of-sync broker ${leader} leads; records it never got are lost` });
              records.push({ type: 'PartitionChangeRecord', topicId: topic.topicId, partitionId: partition.partition, leader, isr: [leader] });
              note(topic.name, partition.partition, 'NONE', null);
            }
          }
        }
        return records;
      });
    } catch (error) {
      return { errorCode: errorCode(asKafkaError(error).type), replicaElectionResults: [] };
    }
    return { errorCode: 0, replicaElectionResults: [...results].map(([topic, partitionResult]) => ({ topic, partitionResult })) };
  }

  /** AllocateProducerIds (KIP-730): the next block of producer ids, recorded so no two brokers get the same. */
  private async handleAllocateProducerIds(request: AllocateProducerIdsRequest): Promise<AllocateProducerIdsResponse> {
    let response: AllocateProducerIdsResponse = { errorCode: errorCode('UNKNOWN_SERVER_ERROR'), producerIdStart: -1, producerIdLen: -1 };
    try {
      await this.appendRecords((image) => {
        const result = allocateProducerIds(image, request);
        response = result.response;
        return result.records;
      });
    } catch (error) {
      response = { errorCode: errorCode(asKafkaError(error).type), producerIdStart: -1, producerIdLen: -1 };
    }
    return response;
  }

  private preferredRecord(topic: TopicImage, partition: PartitionRegistration, reason: string): MetadataRecord {
    this.elections.set(`${topic.topicId}:${partition.partition}`, { kind: 'preferred', previousLeader: partition.leader, reason });
    return { type: 'PartitionChangeRecord', topicId: topic.topicId, partitionId: partition.partition, leader: partition.replicas[0] };
  }

  /**
   * auto.leader.rebalance.enable: every leader.imbalance.check.interval.seconds, a broker that
   * leads fewer than its preferred partitions by more than leader.imbalance.per.broker.percentage
   * gets them back, when it is alive and in sync.
   */
  private schedulePreferredElection(): void {
    if (this.stopped || !this.config['auto.leader.rebalance.enable']) return;
    this.rebalanceTimer = this.ctx.clock.setTimer(this.config['leader.imbalance.check.interval.seconds'] * 1000, () => {
      void this.appendRecords((image) => {
        const fenced = this.fencedBrokers(image, -1);
        const byPreferred = new Map<number, { topic: TopicImage; partition: PartitionRegistration }[]>();
        for (const entry of partitionsOf(image)) {
          const preferred = entry.partition.replicas[0];
          byPreferred.set(preferred, [...(byPreferred.get(preferred) ?? []), entry]);
        }
        const records: MetadataRecord[] = [];
        for (const [brokerId, entries] of byPreferred) {
          const notLed = entries.filter((e) => e.partition.leader !== brokerId);
          if (fenced.has(brokerId) || notLed.length * 100 <= entries.length * this.config['leader.imbalance.per.broker.percentage']) continue;
          for (const { topic, partition } of notLed) {
            if (partition.isr.includes(brokerId)) records.push(this.preferredRecord(topic, partition, `auto.leader.rebalance.enable: broker ${brokerId} is the preferred replica and back in sync`));
          }
        }
        return records;
      }).catch(() => undefined).finally(() => this.schedulePreferredElection());
    });
  }

  private async handleCreateTopics(request: CreateTopicsRequest): Promise<CreateTopicsResponse> {
    const results: CreateTopicsResponse['topics'] = [];
    const seen = new Set<string>();
    for (const topic of request.topics) {
      const result = { name: topic.name, topicId: '', errorCode: 0, errorMessage: null as string | null, numPartitions: -1, replicationFactor: -1 };
      results.push(result);
      try {
        validateTopicName(topic.name);
        if (seen.has(topic.name)) throw new KafkaProtocolError('INVALID_REQUEST', `Duplicate topic name ${topic.name} in the request`);
        seen.add(topic.name);
        const manual = topic.assignments?.length ? topic.assignments : null;
        if (manual && (topic.numPartitions !== -1 || topic.replicationFactor !== -1)) {
          throw new KafkaProtocolError('INVALID_REQUEST', 'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.');
        }
        const numPartitions = manual ? manual.length : topic.numPartitions === -1 ? this.config['num.partitions'] : topic.numPartitions;
        const replicationFactor = manual ? manual[0].brokerIds.length
          : topic.replicationFactor === -1 ? this.config['default.replication.factor'] : topic.replicationFactor;
        const configs = validateTopicConfigs(topic.configs);
        if (!Number.isInteger(numPartitions) || numPartitions < 1) throw new KafkaProtocolError('INVALID_PARTITIONS', `Number of partitions was set to an invalid non-positive value.`);
        if (!Number.isInteger(replicationFactor) || replicationFactor < 1) throw new KafkaProtocolError('INVALID_REPLICATION_FACTOR', 'Replication factor must be larger than 0.');
        let topicId = '';
        await this.appendRecords((image) => {
          if (image.topics.has(topic.name)) throw new KafkaProtocolError('TOPIC_ALREADY_EXISTS', `Topic '${topic.name}' already exists.`);
          const assignment = manual ? validateReplicaAssignment(manual, new Set(image.brokers.keys())) : this.placeNewPartitions(image, numPartitions, replicationFactor);
          if (request.validateOnly) return [];
          topicId = uuid(this.ctx.random);
          return [
            { type: 'TopicRecord', name: topic.name, topicId },
            ...Object.entries(configs).map(([name, value]): MetadataRecord => ({ type: 'ConfigRecord', resourceType: 'TOPIC', resourceName: topic.name, name, value })),
            ...newPartitionRecords(image, topicId, 0, assignment),
          ];
        });
        Object.assign(result, { topicId, numPartitions, replicationFactor });
      } catch (error) {
        const { type, message } = asKafkaError(error);
        result.errorCode = errorCode(type);
        result.errorMessage = message;
      }
    }
    return { topics: results };
  }

  /** Replicas for new partitions on the live brokers, as kafka-topics.sh places them; the replication factor must fit. */
  private placeNewPartitions(image: MetadataImage, count: number, replicationFactor: number): number[][] {
    const live = image.liveBrokers();
    if (replicationFactor > live.length) {
      throw new KafkaProtocolError('INVALID_REPLICATION_FACTOR', `Unable to replicate the partition ${replicationFactor} time(s): The target replication factor of ${replicationFactor} cannot be reached because only ${live.length} broker(s) are registered.`);
    }
    return placeReplicas(live, count, replicationFactor, Math.floor(this.ctx.random.next() * live.length), Math.floor(this.ctx.random.next() * live.length));
  }

  /**
   * CreatePartitions (KIP-195), forwarded by a broker: new partitions after the topic's last, with
   * its replication factor, placed as CreateTopics places them (or as `assignments` says).
   * Existing partitions, and which keys they hold, do not change: keys map to new partitions
   * from now on, which is why Kafka warns that adding partitions breaks per-key order.
   */
  private async handleCreatePartitions(request: CreatePartitionsRequest): Promise<CreatePartitionsResponse> {
    const results: CreatePartitionsResponse['results'] = [];
    const seen = new Set<string>();
    for (const topic of request.topics) {
      const result = { name: topic.name, errorCode: 0, errorMessage: null as string | null };
      results.push(result);
      try {
        if (seen.has(topic.name)) throw new KafkaProtocolError('INVALID_REQUEST', `Duplicate topic name ${topic.name} in the request`);
        seen.add(topic.name);
        await this.appendRecords((image) => {
          const existing = image.topics.get(topic.name);
          if (!existing) throw new KafkaProtocolError('UNKNOWN_TOPIC_OR_PARTITION', `The topic '${topic.name}' does not exist.`);
          // Every group's coordinator is abs(hashCode) mod its partition count: more would move them all.
          if (topic.name === CONSUMER_OFFSETS_TOPIC) throw new KafkaProtocolError('INVALID_REQUEST', `The partitions of ${CONSUMER_OFFSETS_TOPIC} cannot be changed: groups are mapped to them by offsets.topic.num.partitions`);
          const current = existing.partitions.length;
          if (!Number.isInteger(topic.count) || topic.count < current) throw new KafkaProtocolError('INVALID_PARTITIONS', `The topic ${topic.name} currently has ${current} partition(s); ${topic.count} would not be an increase.`);
          if (topic.count === current) throw new KafkaProtocolError('INVALID_PARTITIONS', `Topic already has ${current} partition(s).`);
          const added = topic.count - current;
          const replicationFactor = existing.partitions[0]?.replicas.length ?? 1;
          let assignment: number[][];
          if (topic.assignments) {
            if (topic.assignments.length !== added) throw new KafkaProtocolError('INVALID_REPLICA_ASSIGNMENT', `Attempted to add ${added} additional partition(s), but only ${topic.assignments.length} assignment(s) were specified.`);
            assignment = validateReplicaAssignment(topic.assignments.map((a, i) => ({ partitionIndex: i, brokerIds: a.brokerIds })), new Set(image.brokers.keys()));
            if (assignment[0].length !== replicationFactor) throw new KafkaProtocolError('INVALID_REPLICA_ASSIGNMENT', `The new partitions must have the topic's replication factor, ${replicationFactor}.`);
            const offline = assignment.findIndex((replicas) => replicas.every((id) => image.brokers.get(id)?.fenced !== false));
            if (offline >= 0) throw new KafkaProtocolError('INVALID_REPLICA_ASSIGNMENT', `All brokers specified in the manual partition assignment for partition ${current + offline} are fenced or in controlled shutdown.`);
          } else {
            assignment = this.placeNewPartitions(image, added, replicationFactor);
          }
          return request.validateOnly ? [] : newPartitionRecords(image, existing.topicId, current, assignment);
        });
      } catch (error) {
        const { type, message } = asKafkaError(error);
        result.errorCode = errorCode(type);
        result.errorMessage = message;
      }
    }
    return { results };
  }

  /**
   * IncrementalAlterConfigs (KIP-339), forwarded by a broker (KIP-590): each resource's operations
   * are checked against the image as it is written and become ConfigRecords, which every broker
   * replays; validateOnly checks and writes nothing.
   */
  private async handleIncrementalAlterConfigs(request: IncrementalAlterConfigsRequest): Promise<IncrementalAlterConfigsResponse> {
    const key = (r: { resourceType: number; resourceName: string }) => `${r.resourceType}:${r.resourceName}`;
    const keys = request.resources.map(key);
    const responses: IncrementalAlterConfigsResponse['responses'] = [];
    for (const resource of request.resources) {
      const result = { errorCode: 0, errorMessage: null as string | null, resourceType: resource.resourceType, resourceName: resource.resourceName };
      responses.push(result);
      try {
        if (keys.indexOf(key(resource)) !== keys.lastIndexOf(key(resource))) throw new KafkaProtocolError('INVALID_REQUEST', 'Error due to duplicate resources in the request');
        await this.appendRecords((image) => {
          const records = configChangeRecords(image, resource);
          return request.validateOnly ? [] : records;
        });
      } catch (error) {
        const { type, message } = asKafkaError(error);
        result.errorCode = errorCode(type);
        result.errorMessage = message;
      }
    }
    return { responses };
  }

  private async handleDeleteTopics(request: DeleteTopicsRequest): Promise<DeleteTopicsResponse> {
    const responses: DeleteTopicsResponse['responses'] = [];
    for (const name of request.topicNames) {
      try {
        await this.appendRecords((image) => {
          const topic = image.topics.get(name);
          if (!topic) throw new KafkaProtocolError('UNKNOWN_TOPIC_OR_PARTITION', `Topic ${name} does not exist`);
          return [{ type: 'RemoveTopicRecord', topicId: topic.topicId }];
        });
        responses.push({ name, errorCode: 0, errorMessage: null });
      } catch (error) {
        const { type, message } = asKafkaError(error);
        responses.push({ name, errorCode: errorCode(type), errorMessage: message });
      }
    }
    return { responses };
  }
}

/** PartitionRecords for new partitions numbered from `firstId`: every live replica starts in sync, as all hold the same empty log. */
function newPartitionRecords(image: MetadataImage, topicId: string, firstId: number, assignment: number[][]): MetadataRecord[] {
  return assignment.map((replicas, i) => {
    const isr = replicas.filter((id) => image.brokers.get(id)?.fenced === false);
    return { type: 'PartitionRecord', partitionId: firstId + i, topicId, replicas, isr, leader: isr.length > 0 ? replicas.find((id) => isr.includes(id))! : -1, leaderEpoch: 0, partitionEpoch: 0 };
  });
}

function* partitionsOf(image: MetadataImage): Iterable<{ topic: TopicImage; partition: PartitionRegistration }> {
  for (const topic of image.topics.values()) for (const partition of topic.partitions) if (partition) yield { topic, partition };
}
