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
  type DeleteTopicsResponse, type FetchRequest, type FetchResponse,
} from '../protocol/messages';
import { MetadataImage } from '../metadata/image';
import { decodeMetadataRecord, encodeMetadataRecord, type MetadataRecord } from '../metadata/records';
import { UnifiedLog } from '../storage/unifiedLog';
import { decodeRecords, encodeBatch } from '../storage/recordBatch';
import { placeReplicas } from './replicaPlacement';
import { validateReplicaAssignment, validateTopicConfigs, validateTopicName } from './topicValidation';
import { electLeader } from './partitionChanges';
import { uuid } from '../common/uuid';

/** metadata.version feature level written at bootstrap (3.7-IV4 in Kafka's numbering). */
const METADATA_VERSION = 19;
const SESSION_CHECK_INTERVAL_MS = 1000;

interface MetadataWaiter { fetchOffset: number; resolve: () => void; timer: TimerHandle }

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
  private readonly metadataWaiters = new Set<MetadataWaiter>();
  private sessionTimer: TimerHandle | null = null;
  private stopped = false;
  /** Raft epoch of the (single) leader; bumped on every start, as a new election would. */
  private epoch = 0;

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
    const replayed: { offset: number; record: MetadataRecord }[] = [];
    for (const batch of log.batchesFrom(0)) {
      for (const record of await decodeRecords(batch.bytes)) {
        if (record.value) replayed.push({ offset: record.offset, record: decodeMetadataRecord(record.value) });
      }
    }
    this._image = this._image.apply(replayed);
    this.epoch = ((await this.ctx.metaStore.get<number>('quorum-epoch')) ?? 0) + 1;
    await this.ctx.metaStore.put('quorum-epoch', this.epoch);
    this.ctx.events({
      type: 'node-started', time: this.ctx.clock.now(), node: this.address, role: 'controller',
      recovered: { partitions: 1, batches: result.batches, bytes: result.bytes },
    });
    for (const { offset, record } of replayed) this.ctx.events({ type: 'metadata-record', time: this.ctx.clock.now(), node: this.address, offset, record });
    // A new active controller gives every registered broker a fresh session, as Kafka's does.
    for (const id of this._image.brokers.keys()) this.lastHeartbeat.set(id, this.ctx.clock.now());
    if (this._image.offset < 0) {
      await this.appendRecords(() => [{ type: 'FeatureLevelRecord', name: 'metadata.version', featureLevel: METADATA_VERSION }]);
    }
    this.reportState();
    this.rpc.serve((from, api, body) => this.handle(from, api, body));
    this.scheduleSessionCheck();
  }

  /** Stops timers and networking (the simulation's kill; a worker is simply terminated). */
  stop(): void {
    this.stopped = true;
    this.sessionTimer?.cancel();
    for (const waiter of this.metadataWaiters) {
      waiter.timer.cancel();
      waiter.resolve();
    }
    this.metadataWaiters.clear();
    this.rpc.close();
  }

  private handle(_from: Address, api: ApiKey, body: unknown): Promise<unknown> {
    switch (api) {
      case 'BrokerRegistration': return this.handleBrokerRegistration(body as BrokerRegistrationRequest);
      case 'BrokerHeartbeat': return this.handleBrokerHeartbeat(body as BrokerHeartbeatRequest);
      case 'CreateTopics': return this.handleCreateTopics(body as CreateTopicsRequest);
      case 'DeleteTopics': return this.handleDeleteTopics(body as DeleteTopicsRequest);
      case 'Fetch': return this.handleMetadataFetch(body as FetchRequest);
      default: return Promise.resolve({ errorCode: errorCode('UNSUPPORTED_VERSION') });
    }
  }

  /**
   * Appends records built from the image at the moment of writing (so concurrent commands see
   * each other's effects), then applies them. Resolves with the offset of the first record.
   */
  appendRecords(build: (image: MetadataImage, nextOffset: number) => MetadataRecord[]): Promise<number> {
    return this.writes.run(async () => {
      if (this.stopped) throw new KafkaProtocolError('NOT_CONTROLLER', 'controller is stopped');
      const records = build(this._image, this.log.logEndOffset);
      if (records.length === 0) return this.log.logEndOffset;
      const timestamp = Math.floor(this.ctx.clock.now());
      const bytes = await encodeBatch({
        partitionLeaderEpoch: this.epoch,
        records: records.map((record) => ({ key: null, value: encodeMetadataRecord(record), timestamp })),
      });
      const info = await this.log.appendAsLeader(bytes, this.epoch);
      const applied = records.map((record, i) => ({ offset: info.firstOffset + i, record }));
      this._image = this._image.apply(applied);
      for (const { offset, record } of applied) this.ctx.events({ type: 'metadata-record', time: timestamp, node: this.address, offset, record });
      this.reportState();
      this.wakeMetadataFetchers();
      return info.firstOffset;
    });
  }

  private reportState(): void {
    this.ctx.events({
      type: 'controller-state', time: this.ctx.clock.now(), node: this.address, controllerId: this.nodeId, active: !this.stopped,
      epoch: this.epoch, logEndOffset: this.log.logEndOffset, committedOffset: this.log.logEndOffset - 1,
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
      void this.fenceExpiredBrokers().finally(() => this.scheduleSessionCheck());
    });
  }

  /** A broker that has not heartbeated within broker.session.timeout.ms is fenced. */
  private async fenceExpiredBrokers(): Promise<void> {
    const expired = [...this._image.brokers.values()].filter((b) => !b.fenced && !this.hasLiveSession(b.id));
    for (const broker of expired) {
      await this.appendRecords((image) => (image.brokers.get(broker.id)?.fenced === false ? this.fenceRecords(image, broker.id) : [])).catch(() => undefined);
    }
  }

  /** FenceBrokerRecord plus a new leader (or none) for every partition the broker led. */
  private fenceRecords(image: MetadataImage, brokerId: number): MetadataRecord[] {
    const broker = image.brokers.get(brokerId)!;
    const records: MetadataRecord[] = [{ type: 'FenceBrokerRecord', id: brokerId, epoch: broker.epoch }];
    const fenced = new Set([brokerId, ...[...image.brokers.values()].filter((b) => b.fenced).map((b) => b.id)]);
    for (const topic of image.topics.values()) {
      for (const partition of topic.partitions) {
        if (!partition.isr.includes(brokerId) && partition.leader !== brokerId) continue;
        // Kafka keeps the last ISR member in the ISR, so it can come back as a clean leader.
        const isr = partition.isr.length > 1 ? partition.isr.filter((id) => id !== brokerId) : partition.isr;
        const leader = partition.leader === brokerId ? electLeader(partition.replicas, isr, fenced) : partition.leader;
        if (leader === partition.leader && isr.length === partition.isr.length) continue;
        records.push({ type: 'PartitionChangeRecord', topicId: topic.topicId, partitionId: partition.partition, leader, isr });
      }
    }
    return records;
  }

  /** Offline partitions whose ISR holds the returning broker get it back as leader. */
  private unfenceElections(image: MetadataImage, brokerId: number): MetadataRecord[] {
    const records: MetadataRecord[] = [];
    const fenced = new Set([...image.brokers.values()].filter((b) => b.fenced && b.id !== brokerId).map((b) => b.id));
    for (const topic of image.topics.values()) {
      for (const partition of topic.partitions) {
        if (partition.leader !== -1 || !partition.isr.includes(brokerId)) continue;
        const leader = electLeader(partition.replicas, partition.isr, fenced);
        if (leader !== -1) records.push({ type: 'PartitionChangeRecord', topicId: topic.topicId, partitionId: partition.partition, leader });
      }
    }
    return records;
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
          const live = image.liveBrokers().map((b) => b.id);
          if (!manual && replicationFactor > live.length) {
            throw new KafkaProtocolError('INVALID_REPLICATION_FACTOR', `Unable to replicate the partition ${replicationFactor} time(s): The target replication factor of ${replicationFactor} cannot be reached because only ${live.length} broker(s) are registered.`);
          }
          const assignment = manual
            ? validateReplicaAssignment(manual, new Set(image.brokers.keys()))
            : placeReplicas(image.liveBrokers(), numPartitions, replicationFactor, Math.floor(this.ctx.random.next() * live.length), Math.floor(this.ctx.random.next() * live.length));
          if (request.validateOnly) return [];
          topicId = uuid(this.ctx.random);
          return [
            { type: 'TopicRecord', name: topic.name, topicId },
            ...Object.entries(configs).map(([name, value]): MetadataRecord => ({ type: 'ConfigRecord', resourceType: 'TOPIC', resourceName: topic.name, name, value })),
            ...assignment.map((replicas, partitionId): MetadataRecord => ({
              // The ISR holds the leader alone until followers replicate and catch up.
              type: 'PartitionRecord', partitionId, topicId, replicas, isr: [replicas[0]], leader: replicas[0], leaderEpoch: 0, partitionEpoch: 0,
            })),
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

  /** Brokers (and later, follower controllers) pull `__cluster_metadata`; an empty read waits up to maxWaitMs. */
  private async handleMetadataFetch(request: FetchRequest): Promise<FetchResponse> {
    const wanted = request.topics.find((t) => t.topic === CLUSTER_METADATA_TOPIC)?.partitions[0];
    if (!wanted) return { errorCode: errorCode('UNKNOWN_TOPIC_OR_PARTITION'), responses: [] };
    if (wanted.fetchOffset >= this.log.logEndOffset && request.maxWaitMs > 0) {
      await new Promise<void>((resolve) => {
        const waiter: MetadataWaiter = {
          fetchOffset: wanted.fetchOffset, resolve,
          timer: this.ctx.clock.setTimer(request.maxWaitMs, () => { this.metadataWaiters.delete(waiter); resolve(); }),
        };
        this.metadataWaiters.add(waiter);
      });
    }
    let records: Uint8Array | null = null;
    let code = 0;
    try {
      records = this.log.read(wanted.fetchOffset, this.log.logEndOffset, request.maxBytes).bytes;
    } catch (error) {
      code = errorCode(asKafkaError(error).type);
    }
    return {
      errorCode: 0,
      responses: [{ topic: CLUSTER_METADATA_TOPIC, partitions: [{
        partitionIndex: 0, errorCode: code, highWatermark: this.log.logEndOffset, lastStableOffset: this.log.logEndOffset,
        logStartOffset: this.log.logStartOffset, records,
      }] }],
    };
  }

  private wakeMetadataFetchers(): void {
    for (const waiter of this.metadataWaiters) {
      if (waiter.fetchOffset < this.log.logEndOffset) {
        waiter.timer.cancel();
        this.metadataWaiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

}
