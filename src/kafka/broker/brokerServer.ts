import type { Address, NodeContext, TimerHandle } from '../ports';
import { CONFIG_RESOURCE_TYPES, TOPIC_CONFIGS, type BrokerConfig, brokerAddress, cleanupPolicyDeletes, controllerAddress } from '../config';
import { Rpc } from '../common/rpc';
import { SerialQueue, parseTopicPartition, topicPartitionName } from '../common/serial';
import { KafkaProtocolError, asKafkaError, errorCode, type ErrorName } from '../protocol/errors';
import {
  CLUSTER_METADATA_TOPIC, CONSUMER_OFFSETS_TOPIC, EARLIEST_TIMESTAMP, LATEST_TIMESTAMP,
  type ApiKey, type RequestOf, type CreateTopicsRequest, type DeleteTopicsRequest, type FetchPartitionResponse, type FetchRequest,
  type FetchResponse, type FindCoordinatorRequest, type JoinGroupRequest, type SyncGroupRequest, type HeartbeatRequest,
  type LeaveGroupRequest, type DescribeGroupsRequest, type ListGroupsRequest, type DeleteGroupsRequest, type FindCoordinatorResponse, type ListOffsetsRequest, type CreatePartitionsRequest, type DeleteRecordsRequest, type DeleteRecordsResponse,
  type ListOffsetsResponse, type MetadataRequest, type MetadataResponse, type OffsetCommitRequest, type OffsetFetchRequest,
  type ProducePartitionResponse, type ProduceRequest, type ProduceResponse, type OffsetForLeaderEpochRequest,
  type OffsetForLeaderEpochResponse, type ElectLeadersRequest, type InitProducerIdRequest,
  type DescribeConfigsRequest, type DescribeConfigsResponse, type IncrementalAlterConfigsRequest,
} from '../protocol/messages';
import { describeBrokerConfigs, describeTopicConfigs } from '../metadata/configs';
import { MetadataImage } from '../metadata/image';
import { decodeMetadataRecord, type MetadataRecord } from '../metadata/records';
import { UnifiedLog, type LogConfig } from '../storage/unifiedLog';
import { decodeRecords, readBatchHeader, scanBatches, setLogAppendTime } from '../storage/recordBatch';
import { GroupCoordinator, partitionForGroup } from '../group/groupCoordinator';
import { uuid } from '../common/uuid';
import { validateTopicName } from '../controller/topicValidation';
import { Partition, deletePartitionCheckpoints, type AlterPartitionResult, type PartitionContext } from './partition';
import { ReplicaFetcherManager } from './replicaFetcher';
import { ProducerIdManager } from './producerIdManager';

type BrokerState = 'STARTING' | 'RECOVERY' | 'RUNNING';

const CONTROLLER_REQUEST_TIMEOUT_MS = 5000;
const RETRY_BACKOFF_MS = 500;
const CONTROLLER_OK_GRACE_MS = 1000;

/**
 * A Kafka broker (KafkaRaftServer in broker role): recovers its logs, registers with the
 * controller, heartbeats, follows `__cluster_metadata`, and serves Produce, Fetch, ListOffsets,
 * Metadata, FindCoordinator, and the group coordinator's APIs for the `__consumer_offsets`
 * partitions it leads.
 */
export class BrokerServer {
  readonly rpc: Rpc;
  private image = MetadataImage.EMPTY;
  private readonly partitions = new Map<string, Partition>();
  private readonly groupCoordinator: GroupCoordinator;
  private readonly metadataApply = new SerialQueue();
  private state: BrokerState = 'STARTING';
  private brokerEpoch = -1;
  private incarnationId = '';
  private stopped = false;
  private timers = new Set<TimerHandle>();
  private controllerIndex = 0;
  private controllerOkAt = -Infinity;
  /** True once this broker has read the metadata log up to the controller's high watermark. */
  private metadataCaughtUp = false;
  private creatingOffsetsTopic = false;
  private followingMetadata = false;
  /** Topics this broker asked the controller to auto-create, so a burst of Metadata requests asks once. */
  private readonly autoCreating = new Set<string>();
  private readonly fetchers: ReplicaFetcherManager;
  private readonly partitionContext: PartitionContext;
  private readonly producerIds: ProducerIdManager;

  constructor(readonly config: BrokerConfig, private readonly ctx: NodeContext) {
    this.rpc = new Rpc(ctx.transport, ctx.clock, ctx.events);
    this.groupCoordinator = new GroupCoordinator(
      () => this.image.topics.get(CONSUMER_OFFSETS_TOPIC)?.partitions.length ?? this.config['offsets.topic.num.partitions'],
      (index) => this.partitions.get(topicPartitionName(CONSUMER_OFFSETS_TOPIC, index)),
      ctx.clock, ctx.random, ctx.events, this.address, config,
    );
    this.partitionContext = {
      brokerId: this.nodeId, node: this.address, clock: ctx.clock, events: ctx.events, metaStore: ctx.metaStore,
      replicaLagTimeMaxMs: config['replica.lag.time.max.ms'],
      isBrokerEligible: (id) => this.image.brokers.get(id)?.fenced === false,
      alterPartition: (partition, newIsr) => this.alterPartition(partition, newIsr),
    };
    this.producerIds = new ProducerIdManager({
      brokerId: () => this.nodeId, brokerEpoch: () => this.brokerEpoch,
      allocate: async (request) => {
        const response = await this.rpc.request(this.controller, 'AllocateProducerIds', request, { timeoutMs: CONTROLLER_REQUEST_TIMEOUT_MS }).catch((error: unknown) => {
          this.nextController();
          throw error;
        });
        if (response.errorCode === errorCode('NOT_CONTROLLER')) this.nextController();
        return response;
      },
    });
    this.fetchers = new ReplicaFetcherManager({
      brokerId: this.nodeId, rpc: this.rpc, clock: ctx.clock, fetchWaitMaxMs: config['replica.fetch.wait.max.ms'],
      isStopped: () => this.stopped, sleep: (ms) => this.sleep(ms),
    });
  }

  get nodeId(): number {
    return this.config['node.id'];
  }
  get address(): Address {
    return brokerAddress(this.nodeId);
  }

  async start(): Promise<void> {
    this.incarnationId = uuid(this.ctx.random);
    this.setState('RECOVERY');
    let batches = 0;
    let bytes = 0;
    const names = await this.ctx.logStore.listPartitions();
    for (const name of names) {
      const { topic, partition } = parseTopicPartition(name);
      const { log, result } = await UnifiedLog.recover(topic, partition, this.ctx.logStore, this.logConfig(topic));
      batches += result.batches;
      bytes += result.bytes;
      const replica = await Partition.open(log, this.partitionContext);
      replica.topicId = (await this.ctx.metaStore.get<string>(`partition.metadata/${name}`)) ?? '';
      this.partitions.set(name, replica);
      this.ctx.events({
        type: 'log-recovered', time: this.ctx.clock.now(), node: this.address, topic, partition,
        logStartOffset: log.logStartOffset, logEndOffset: log.logEndOffset, batches: result.batches, truncated: result.truncated,
      });
      replica.reportOffsets();
    }
    this.ctx.events({ type: 'node-started', time: this.ctx.clock.now(), node: this.address, role: 'broker', recovered: { partitions: names.length, batches, bytes } });
    this.rpc.serve((from, api, body) => this.handle(from, api, body));
    void this.register();
    void this.isrShrinkLoop();
    void this.logRetentionLoop();
  }

  /**
   * A log's configs as its topic has them now (IncrementalAlterConfigs may change them while it
   * lives), else the broker's defaults: log.segment.bytes and Kafka's topic defaults.
   */
  private logConfig(topic: string): () => LogConfig {
    return () => {
      const configs = this.image.topics.get(topic)?.configs ?? {};
      const value = (name: string): number => Number(configs[name] ?? (name === 'segment.bytes' ? this.config['segment.bytes'] : TOPIC_CONFIGS[name].default));
      return {
        segmentBytes: value('segment.bytes'), segmentMs: value('segment.ms'), retentionMs: value('retention.ms'), retentionBytes: value('retention.bytes'),
        deleteRetention: cleanupPolicyDeletes(configs['cleanup.policy']),
      };
    };
  }

  /**
   * Kafka's LogManager cleanup: every log.retention.check.interval.ms, each replica deletes its
   * expired segments. Only topics the metadata image knows, once it has caught up: before that
   * a log's configs are not known (a topic's retention.ms=-1 must not read as the 7-day default).
   */
  private async logRetentionLoop(): Promise<void> {
    while (!this.stopped) {
      await this.sleep(this.config['log.retention.check.interval.ms']);
      if (!this.metadataCaughtUp) continue;
      const now = this.ctx.clock.now();
      for (const partition of [...this.partitions.values()]) {
        if (this.stopped) return;
        if (!this.image.topics.has(partition.topic)) continue;
        try {
          await partition.deleteOldSegments(now);
        } catch (error) {
          this.ctx.events({ type: 'log', time: this.ctx.clock.now(), node: this.address, level: 'warn', message: `retention of ${partition.name} failed: ${asKafkaError(error).message}` });
        }
      }
    }
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) timer.cancel();
    this.timers.clear();
    this.groupCoordinator.stop();
    for (const partition of this.partitions.values()) partition.wakeAll();
    this.rpc.close();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.ctx.clock.setTimer(ms, () => { this.timers.delete(timer); resolve(); });
      this.timers.add(timer);
    });
  }

  private setState(state: BrokerState): void {
    if (this.state === state && state !== 'RECOVERY') return;
    this.state = state;
    this.ctx.events({ type: 'broker-state', time: this.ctx.clock.now(), node: this.address, brokerId: this.nodeId, state, brokerEpoch: this.brokerEpoch });
  }

  private get controller(): Address {
    const voters = this.config['controller.quorum.voters'];
    return controllerAddress(voters[this.controllerIndex % voters.length]);
  }

  /**
   * Moves on to the next controller after a failure. Several loops share the choice; one that
   * failed on a controller it picked earlier must not move everyone away from the controller
   * another loop has just heard from.
   */
  private nextController(): void {
    if (this.ctx.clock.now() - this.controllerOkAt < CONTROLLER_OK_GRACE_MS) return;
    this.controllerIndex++;
  }

  /** The current controller answered as the active one (or served the metadata log). */
  private controllerOk(): void {
    this.controllerOkAt = this.ctx.clock.now();
  }

  /** Points controller requests at the quorum leader a controller named. */
  private useController(leaderId: number | undefined): void {
    const index = leaderId === undefined ? -1 : this.config['controller.quorum.voters'].indexOf(leaderId);
    if (index >= 0) this.controllerIndex = index;
    else this.controllerIndex++;
  }

  // ---- Lifecycle with the controller -------------------------------------------------------

  private async register(): Promise<void> {
    let refusalReported = false;
    while (!this.stopped) {
      try {
        const response = await this.rpc.request(this.controller, 'BrokerRegistration', {
          brokerId: this.nodeId, clusterId: this.config['cluster.id'], incarnationId: this.incarnationId,
          rack: this.config['broker.rack'], listeners: [{ name: 'PLAINTEXT', host: this.address, port: 9092 }],
        }, { timeoutMs: CONTROLLER_REQUEST_TIMEOUT_MS });
        if (response.errorCode === 0) {
          this.controllerOk();
          this.brokerEpoch = response.brokerEpoch;
          this.setState('RECOVERY');
          void this.heartbeatLoop();
          // The metadata log is followed once per process, across re-registrations.
          if (!this.followingMetadata) {
            this.followingMetadata = true;
            void this.metadataLoop();
          }
          return;
        }
        if (response.errorCode === errorCode('NOT_CONTROLLER')) this.nextController();
        if (response.errorCode === errorCode('DUPLICATE_BROKER_REGISTRATION') && !refusalReported) {
          refusalReported = true;
          this.ctx.events({
            type: 'log', time: this.ctx.clock.now(), node: this.address, level: 'warn',
            message: `registration refused with DUPLICATE_BROKER_REGISTRATION: the controller still holds a live session for this broker's previous incarnation; retrying until it expires (broker.session.timeout.ms = ${this.config['broker.session.timeout.ms']})`,
          });
        }
      } catch {
        this.nextController();
      }
      await this.sleep(RETRY_BACKOFF_MS * 2);
    }
  }

  private async heartbeatLoop(): Promise<void> {
    while (!this.stopped) {
      try {
        const response = await this.rpc.request(this.controller, 'BrokerHeartbeat', {
          brokerId: this.nodeId, brokerEpoch: this.brokerEpoch, currentMetadataOffset: this.image.offset, wantFence: false, wantShutDown: false,
          // A lost heartbeat must not cost the whole session: give up on it after one interval and send the next.
        }, { timeoutMs: this.config['broker.heartbeat.interval.ms'] });
        if (response.errorCode === errorCode('STALE_BROKER_EPOCH')) {
          // The controller no longer knows this incarnation (its session expired): register again.
          this.setState('RECOVERY');
          void this.register();
          return;
        }
        if (response.errorCode === 0) {
          this.controllerOk();
          this.setState(response.isFenced ? 'RECOVERY' : 'RUNNING');
        }
        if (response.errorCode === errorCode('NOT_CONTROLLER')) this.nextController();
      } catch {
        this.nextController();
      }
      await this.sleep(this.config['broker.heartbeat.interval.ms']);
    }
  }

  /** Kafka's isr-expiration task: every half replica.lag.time.max.ms, each led partition drops lagging followers. */
  private async isrShrinkLoop(): Promise<void> {
    while (!this.stopped) {
      await this.sleep(this.config['replica.lag.time.max.ms'] / 2);
      for (const partition of this.partitions.values()) partition.maybeShrinkIsr();
    }
  }

  /** AlterPartition (KIP-497): the leader asks the controller to commit a new ISR. */
  private async alterPartition(partition: Partition, newIsr: number[]): Promise<AlterPartitionResult> {
    const response = await this.rpc.request(this.controller, 'AlterPartition', {
      brokerId: this.nodeId, brokerEpoch: this.brokerEpoch,
      topics: [{ topicId: partition.topicId, partitions: [{ partitionIndex: partition.partition, leaderEpoch: partition.leaderEpoch, newIsr, partitionEpoch: partition.partitionEpoch }] }],
    }, { timeoutMs: CONTROLLER_REQUEST_TIMEOUT_MS }).catch((error: unknown) => {
      this.nextController();
      throw error;
    });
    if (response.errorCode === errorCode('NOT_CONTROLLER')) this.nextController();
    const result = response.topics[0]?.partitions[0];
    if (response.errorCode !== 0 || !result) {
      return { partitionIndex: partition.partition, errorCode: response.errorCode || errorCode('UNKNOWN_SERVER_ERROR'), leaderId: -1, leaderEpoch: -1, isr: [], partitionEpoch: -1 };
    }
    return result;
  }

  /** Follows `__cluster_metadata` as a KRaft observer: a long-polling Fetch from the controller. */
  private async metadataLoop(): Promise<void> {
    while (!this.stopped) {
      try {
        const response = await this.rpc.request(this.controller, 'Fetch', {
          replicaId: this.nodeId, maxWaitMs: this.config['replica.fetch.wait.max.ms'], minBytes: 1, maxBytes: 1024 * 1024, isolationLevel: 0,
          topics: [{ topic: CLUSTER_METADATA_TOPIC, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: this.image.offset + 1, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1024 * 1024 }] }],
        }, { timeoutMs: CONTROLLER_REQUEST_TIMEOUT_MS });
        const data = response.responses[0]?.partitions[0];
        if (data?.snapshotId) {
          // KIP-630: the log we need starts after a snapshot: load the image from it.
          const fetched = await this.rpc.request(this.controller, 'FetchSnapshot', { replicaId: this.nodeId, snapshotId: data.snapshotId }, { timeoutMs: CONTROLLER_REQUEST_TIMEOUT_MS });
          if (fetched.errorCode === 0) await this.metadataApply.run(() => this.applySnapshot(fetched.records, fetched.snapshotId.endOffset - 1));
          continue;
        }
        if (!data || data.errorCode !== 0) {
          // Only the quorum leader serves the log: go where the controller says it is.
          this.useController(data?.currentLeader?.leaderId);
          await this.sleep(data?.currentLeader && data.currentLeader.leaderId >= 0 ? 50 : RETRY_BACKOFF_MS);
          continue;
        }
        const records: { offset: number; record: MetadataRecord }[] = [];
        if (data.records && data.records.byteLength > 0) {
          for (const { at } of scanBatches(data.records).batches) {
            for (const r of await decodeRecords(data.records, at)) {
              if (r.value && r.offset > this.image.offset) records.push({ offset: r.offset, record: decodeMetadataRecord(r.value) });
            }
          }
        }
        this.controllerOk();
        const caughtUp = (records.at(-1)?.offset ?? this.image.offset) + 1 >= data.highWatermark;
        await this.metadataApply.run(() => this.applyMetadata(records, caughtUp));
      } catch {
        this.nextController();
        await this.sleep(RETRY_BACKOFF_MS);
      }
    }
  }

  private async applySnapshot(records: MetadataRecord[], offset: number): Promise<void> {
    this.image = MetadataImage.fromSnapshot(records, offset);
    this.ctx.events({ type: 'metadata-applied', time: this.ctx.clock.now(), node: this.address, offset: this.image.offset });
    if (this.metadataCaughtUp) await this.reconcilePartitions();
  }

  private async applyMetadata(records: { offset: number; record: MetadataRecord }[], caughtUp: boolean): Promise<void> {
    if (records.length > 0) {
      this.image = this.image.apply(records);
      this.ctx.events({ type: 'metadata-applied', time: this.ctx.clock.now(), node: this.address, offset: this.image.offset });
    }
    const becameCaughtUp = caughtUp && !this.metadataCaughtUp;
    if (caughtUp) this.metadataCaughtUp = true;
    // As Kafka's metadata publisher: act on the image only once it has caught up with the log,
    // never on a half-replayed one (it could delete a log that a later record keeps).
    if (this.metadataCaughtUp && (records.length > 0 || becameCaughtUp)) await this.reconcilePartitions();
  }

  /** Makes the local replicas match the image: create, lead, follow, or delete. */
  private async reconcilePartitions(): Promise<void> {
    const wanted = new Set<string>();
    for (const topic of this.image.topics.values()) {
      for (const registration of topic.partitions) {
        if (!registration || !registration.replicas.includes(this.nodeId)) continue;
        const name = topicPartitionName(topic.name, registration.partition);
        wanted.add(name);
        let replica = this.partitions.get(name);
        if (replica && replica.topicId && replica.topicId !== topic.topicId) {
          // Same name, different topic id: the topic was deleted and created again while we were away.
          await this.deleteReplica(name);
          replica = undefined;
        }
        if (!replica) {
          // No stored batch, but checkpoints of a topic of the same name deleted while we were away: not this topic's.
          const storedId = await this.ctx.metaStore.get<string>(`partition.metadata/${name}`);
          if (storedId !== undefined && storedId !== topic.topicId) await deletePartitionCheckpoints(this.ctx.metaStore, name);
          replica = await Partition.open(UnifiedLog.empty(topic.name, registration.partition, this.ctx.logStore, this.logConfig(topic.name)), this.partitionContext);
          this.partitions.set(name, replica);
        }
        if (replica.topicId !== topic.topicId) await this.ctx.metaStore.put(`partition.metadata/${name}`, topic.topicId);
        const wasLeader = replica.role === 'leader';
        const previousEpoch = replica.leaderEpoch;
        await replica.applyRegistration(registration);
        // Followers fetch from the leader; a leader (or an offline replica) fetches from no one.
        if (replica.role === 'follower') this.fetchers.follow(replica);
        else this.fetchers.unfollow(replica);
        if (topic.name === CONSUMER_OFFSETS_TOPIC && (wasLeader !== (replica.role === 'leader') || previousEpoch !== replica.leaderEpoch)) {
          this.groupCoordinator.onLeadershipChange(registration.partition, replica.role === 'leader');
        }
      }
    }
    for (const name of [...this.partitions.keys()]) if (!wanted.has(name)) await this.deleteReplica(name);
  }

  private async deleteReplica(name: string): Promise<void> {
    const replica = this.partitions.get(name);
    if (!replica) return;
    this.partitions.delete(name);
    this.fetchers.unfollow(replica);
    replica.wakeAll();
    await replica.log.delete();
    await this.ctx.metaStore.delete(`partition.metadata/${name}`);
    await replica.deleteCheckpoint();
    this.ctx.events({ type: 'partition-deleted', time: this.ctx.clock.now(), node: this.address, topic: replica.topic, partition: replica.partition });
  }

  // ---- Request handling --------------------------------------------------------------------

  private handle(from: Address, api: ApiKey, body: unknown): Promise<unknown> {
    switch (api) {
      case 'Metadata': return Promise.resolve(this.handleMetadata(body as MetadataRequest));
      case 'Produce': return this.handleProduce(body as ProduceRequest);
      case 'Fetch': return this.handleFetch(body as FetchRequest);
      case 'ListOffsets': return Promise.resolve(this.handleListOffsets(body as ListOffsetsRequest));
      case 'DeleteRecords': return this.handleDeleteRecords(body as DeleteRecordsRequest);
      case 'CreateTopics': return this.forwardToController('CreateTopics', body as CreateTopicsRequest);
      case 'DeleteTopics': return this.forwardToController('DeleteTopics', body as DeleteTopicsRequest);
      case 'CreatePartitions': return this.forwardToController('CreatePartitions', body as CreatePartitionsRequest);
      case 'ElectLeaders': return this.forwardToController('ElectLeaders', body as ElectLeadersRequest);
      case 'IncrementalAlterConfigs': return this.forwardToController('IncrementalAlterConfigs', body as IncrementalAlterConfigsRequest);
      case 'DescribeConfigs': return Promise.resolve(this.handleDescribeConfigs(body as DescribeConfigsRequest));
      case 'InitProducerId': return this.producerIds.handleInitProducerId(body as InitProducerIdRequest);
      case 'OffsetForLeaderEpoch': return Promise.resolve(this.handleOffsetForLeaderEpoch(body as OffsetForLeaderEpochRequest));
      case 'FindCoordinator': return this.handleFindCoordinator(body as FindCoordinatorRequest);
      case 'OffsetCommit': return this.groupCoordinator.handleOffsetCommit(body as OffsetCommitRequest);
      case 'OffsetFetch': return this.groupCoordinator.handleOffsetFetch(body as OffsetFetchRequest);
      case 'JoinGroup': return this.groupCoordinator.handleJoinGroup(from, body as JoinGroupRequest);
      case 'SyncGroup': return this.groupCoordinator.handleSyncGroup(body as SyncGroupRequest);
      case 'Heartbeat': return this.groupCoordinator.handleHeartbeat(body as HeartbeatRequest);
      case 'LeaveGroup': return this.groupCoordinator.handleLeaveGroup(body as LeaveGroupRequest);
      case 'DescribeGroups': return this.groupCoordinator.handleDescribeGroups(body as DescribeGroupsRequest);
      case 'ListGroups': return this.groupCoordinator.handleListGroups(body as ListGroupsRequest);
      case 'DeleteGroups': return this.groupCoordinator.handleDeleteGroups(body as DeleteGroupsRequest);
      default: return Promise.resolve({ errorCode: errorCode('UNSUPPORTED_VERSION') });
    }
  }

  /** KIP-590: clients send admin requests to any broker, which forwards them to the active controller. */
  private async forwardToController<K extends 'CreateTopics' | 'CreatePartitions' | 'DeleteTopics' | 'ElectLeaders' | 'IncrementalAlterConfigs'>(api: K, body: RequestOf<K>): Promise<unknown> {
    // Try each controller once: a dead one, or one that is not the active controller, passes the request on.
    const voters = this.config['controller.quorum.voters'];
    const first = this.controllerIndex;
    let failure: unknown = new KafkaProtocolError('NOT_CONTROLLER');
    for (let attempt = 0; attempt < voters.length; attempt++) {
      const index = (first + attempt) % voters.length;
      try {
        const response = await this.rpc.request(controllerAddress(voters[index]), api, body as never, { timeoutMs: Math.max(CONTROLLER_REQUEST_TIMEOUT_MS, (body as { timeoutMs?: number }).timeoutMs ?? 0) });
        if (!answeredNotController(response)) {
          this.controllerIndex = index;
          return response;
        }
        if (attempt === voters.length - 1) return response;
      } catch (error) {
        failure = error;
      }
    }
    const code = errorCode(asKafkaError(failure).type);
    if (api === 'CreateTopics') {
      return { topics: (body as CreateTopicsRequest).topics.map((t) => ({ name: t.name, topicId: '', errorCode: code, errorMessage: 'controller unreachable', numPartitions: -1, replicationFactor: -1 })) };
    }
    if (api === 'ElectLeaders') return { errorCode: code, replicaElectionResults: [] };
    if (api === 'CreatePartitions') return { results: (body as CreatePartitionsRequest).topics.map((t) => ({ name: t.name, errorCode: code, errorMessage: 'controller unreachable' })) };
    if (api === 'IncrementalAlterConfigs') {
      return { responses: (body as IncrementalAlterConfigsRequest).resources.map((r) => ({ errorCode: code, errorMessage: 'controller unreachable', resourceType: r.resourceType, resourceName: r.resourceName })) };
    }
    return { responses: (body as DeleteTopicsRequest).topicNames.map((name) => ({ name, errorCode: code, errorMessage: 'controller unreachable' })) };
  }

  private handleMetadata(request: MetadataRequest): MetadataResponse {
    const live = this.image.liveBrokers();
    const names = request.topics ?? [...this.image.topics.keys()].filter((n) => !n.startsWith('__'));
    const topics: MetadataResponse['topics'] = [];
    for (const name of names) {
      const topic = this.image.topics.get(name);
      if (!topic) {
        // auto.create.topics.enable (default true): the broker asks the controller and answers LEADER_NOT_AVAILABLE meanwhile.
        if (request.allowAutoTopicCreation && isLegalTopicName(name)) {
          if (!this.autoCreating.has(name)) {
            this.autoCreating.add(name);
            void this.forwardToController('CreateTopics', { topics: [{ name, numPartitions: this.config['num.partitions'], replicationFactor: this.config['default.replication.factor'] }], timeoutMs: 5000, validateOnly: false })
              .finally(() => this.autoCreating.delete(name));
          }
          topics.push({ name, topicId: '', errorCode: errorCode('LEADER_NOT_AVAILABLE'), isInternal: false, partitions: [] });
        } else {
          topics.push({ name, topicId: '', errorCode: errorCode(isLegalTopicName(name) ? 'UNKNOWN_TOPIC_OR_PARTITION' : 'INVALID_TOPIC_EXCEPTION'), isInternal: false, partitions: [] });
        }
        continue;
      }
      const fenced = new Set([...this.image.brokers.values()].filter((b) => b.fenced).map((b) => b.id));
      topics.push({
        name, topicId: topic.topicId, errorCode: 0, isInternal: name.startsWith('__'),
        partitions: topic.partitions.map((p) => ({
          partitionIndex: p.partition, errorCode: p.leader === -1 ? errorCode('LEADER_NOT_AVAILABLE') : 0, leaderId: p.leader,
          leaderEpoch: p.leaderEpoch, replicaNodes: p.replicas, isrNodes: p.isr, offlineReplicas: p.replicas.filter((id) => fenced.has(id)),
        })),
      });
    }
    return {
      clusterId: this.config['cluster.id'],
      // In KRaft the Metadata response names a broker as "controller": clients send admin requests there and it forwards them.
      controllerId: live[0]?.id ?? -1,
      brokers: live.map((b) => ({ nodeId: b.id, host: brokerAddress(b.id), port: 9092, rack: b.rack })),
      topics,
    };
  }

  /** The partition this broker leads, or the Kafka error explaining why not. */
  private leaderPartition(topic: string, index: number): Partition {
    const replica = this.hostedPartition(topic, index);
    if (replica.role !== 'leader') throw this.notLeader(topic, index);
    return replica;
  }

  /** This broker's replica of a partition, leader or follower. */
  private hostedPartition(topic: string, index: number): Partition {
    const registration = this.image.partition(topic, index);
    if (!registration) throw new KafkaProtocolError('UNKNOWN_TOPIC_OR_PARTITION', `This server does not host ${topic}-${index}.`);
    const replica = this.partitions.get(topicPartitionName(topic, index));
    if (!replica || replica.role === 'none') throw this.notLeader(topic, index);
    return replica;
  }

  private notLeader(topic: string, index: number): KafkaProtocolError {
    const leader = this.image.partition(topic, index)?.leader ?? -1;
    return new KafkaProtocolError(leader === -1 ? 'LEADER_NOT_AVAILABLE' : 'NOT_LEADER_OR_FOLLOWER', `broker ${this.nodeId} is not the leader of ${topic}-${index} (leader: ${leader})`);
  }

  /** A request's currentLeaderEpoch against this replica's: older is fenced, newer is not known here yet. */
  private checkLeaderEpoch(replica: Partition, currentLeaderEpoch: number): void {
    if (currentLeaderEpoch >= 0 && currentLeaderEpoch < replica.leaderEpoch) throw new KafkaProtocolError('FENCED_LEADER_EPOCH', `leader epoch ${currentLeaderEpoch} is older than ${replica.leaderEpoch} for ${replica.name}`);
    if (currentLeaderEpoch > replica.leaderEpoch) throw new KafkaProtocolError('UNKNOWN_LEADER_EPOCH', `leader epoch ${currentLeaderEpoch} is newer than ${replica.leaderEpoch} known to broker ${this.nodeId} for ${replica.name}`);
  }

  private minInsyncReplicas(topic: string): number {
    return Number(this.image.topics.get(topic)?.configs['min.insync.replicas'] ?? this.config['min.insync.replicas']);
  }

  /**
   * The topic configs a leader applies to a Produce: max.message.bytes (a larger batch fails with
   * MESSAGE_TOO_LARGE) and message.timestamp.type=LogAppendTime (each batch is stamped with the
   * leader's clock). Returns the log append time, or -1 for CreateTime.
   */
  private applyTopicConfigsOnAppend(topic: string, index: number, records: Uint8Array): number {
    const configs = this.image.topics.get(topic)?.configs ?? {};
    const maxMessageBytes = Number(configs['max.message.bytes'] ?? TOPIC_CONFIGS['max.message.bytes'].default);
    const logAppendTime = configs['message.timestamp.type'] === 'LogAppendTime';
    // Headers only (no CRC pass: the log's append validates the batches).
    const starts: number[] = [];
    try {
      for (let at = 0; at < records.byteLength;) {
        const { sizeInBytes } = readBatchHeader(records, at);
        if (!(sizeInBytes > 0)) return -1;
        if (sizeInBytes > maxMessageBytes) {
          throw new KafkaProtocolError('MESSAGE_TOO_LARGE', `The record batch size in the append to ${topic}-${index} is ${sizeInBytes} bytes which exceeds the maximum configured value of ${maxMessageBytes} (max.message.bytes).`);
        }
        starts.push(at);
        at += sizeInBytes;
      }
    } catch (error) {
      // A malformed batch is the append's to refuse (CORRUPT_MESSAGE).
      if (error instanceof KafkaProtocolError) throw error;
      return -1;
    }
    if (!logAppendTime) return -1;
    const now = this.ctx.clock.now();
    for (const at of starts) setLogAppendTime(records, now, at);
    return now;
  }

  /**
   * DescribeConfigs (KIP-133): topics from this broker's metadata image, and this broker's own
   * static configs. A BROKER resource names this broker (or '' for cluster-wide dynamic defaults, none here).
   */
  private handleDescribeConfigs(request: DescribeConfigsRequest): DescribeConfigsResponse {
    const options = { includeSynonyms: request.includeSynonyms, includeDocumentation: request.includeDocumentation };
    return {
      results: request.resources.map((resource) => {
        const result = { errorCode: 0, errorMessage: null as string | null, resourceType: resource.resourceType, resourceName: resource.resourceName, configs: [] as DescribeConfigsResponse['results'][number]['configs'] };
        try {
          if (resource.resourceType === CONFIG_RESOURCE_TYPES.TOPIC) {
            if (!isLegalTopicName(resource.resourceName)) throw new KafkaProtocolError('INVALID_TOPIC_EXCEPTION', `Topic name "${resource.resourceName}" is illegal`);
            const topic = this.image.topics.get(resource.resourceName);
            if (!topic) throw new KafkaProtocolError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${resource.resourceName}' does not exist.`);
            result.configs = describeTopicConfigs(topic, this.config, resource.configurationKeys, options);
          } else if (resource.resourceType === CONFIG_RESOURCE_TYPES.BROKER) {
            if (resource.resourceName !== '' && resource.resourceName !== String(this.nodeId)) {
              throw new KafkaProtocolError('INVALID_REQUEST', `Unexpected broker id, expected ${this.nodeId} or empty string, but received ${resource.resourceName}`);
            }
            if (resource.resourceName !== '') result.configs = describeBrokerConfigs(this.config, resource.configurationKeys, options);
          } else {
            throw new KafkaProtocolError('INVALID_REQUEST', `Unsupported resource type ${resource.resourceType}`);
          }
        } catch (error) {
          const { type, message } = asKafkaError(error);
          result.errorCode = errorCode(type);
          result.errorMessage = message;
        }
        return result;
      }),
    };
  }

  private async handleProduce(request: ProduceRequest): Promise<ProduceResponse | undefined> {
    const acks = request.acks;
    const responses = await Promise.all(request.topicData.map(async (topic) => ({
      name: topic.name,
      partitionResponses: await Promise.all(topic.partitionData.map((data) => this.producePartition(topic.name, data.index, data.records, acks, request.timeoutMs))),
    })));
    // acks=0: the producer asked for no answer at all.
    return acks === 0 ? undefined : { responses };
  }

  private async producePartition(topic: string, index: number, records: Uint8Array, acks: number, timeoutMs: number): Promise<ProducePartitionResponse> {
    const result: ProducePartitionResponse = { index, errorCode: 0, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1 };
    try {
      if (acks !== 0 && acks !== 1 && acks !== -1) throw new KafkaProtocolError('INVALID_REQUIRED_ACKS', `acks must be 0, 1 or -1 (all), got ${acks}`);
      const replica = this.leaderPartition(topic, index);
      const minIsr = this.minInsyncReplicas(topic);
      if (acks === -1 && replica.isr.length < minIsr) {
        throw new KafkaProtocolError('NOT_ENOUGH_REPLICAS', `The size of the current ISR [${replica.isr}] is insufficient to satisfy the min.isr requirement of ${minIsr} for partition ${topic}-${index}`);
      }
      result.logAppendTimeMs = this.applyTopicConfigsOnAppend(topic, index, records);
      const info = await replica.appendAsLeader(records);
      result.baseOffset = info.firstOffset;
      result.logStartOffset = replica.log.logStartOffset;
      if (acks === -1) {
        const reached = await replica.waitForHighWatermark(info.lastOffset + 1, timeoutMs);
        if (!reached && replica.role !== 'leader') throw new KafkaProtocolError('NOT_LEADER_OR_FOLLOWER', `broker ${this.nodeId} stopped leading ${topic}-${index} before the records were replicated`);
        // As Kafka: the ISR has the records, but it shrank below min.insync.replicas meanwhile.
        if (reached && replica.maximalIsr.length < minIsr) {
          throw new KafkaProtocolError('NOT_ENOUGH_REPLICAS_AFTER_APPEND', `records at ${info.firstOffset}..${info.lastOffset} of ${topic}-${index} were appended, but the ISR [${replica.isr}] shrank below min.insync.replicas = ${minIsr}`);
        }
        if (!reached) throw new KafkaProtocolError('REQUEST_TIMED_OUT', `records at ${info.firstOffset}..${info.lastOffset} of ${topic}-${index} not replicated to the ISR [${replica.isr}] within ${timeoutMs} ms`);
      }
    } catch (error) {
      const { type, message } = asKafkaError(error);
      result.errorCode = errorCode(type);
      result.errorMessage = message;
      this.ctx.events({ type: 'request-rejected', time: this.ctx.clock.now(), node: this.address, api: 'Produce', topic, partition: index, error: type, message });
    }
    return result;
  }

  /**
   * Fetch from a follower (replicaId >= 0): reads up to the log end and tells the leader how far
   * the follower got. From a consumer: reads up to the high watermark, from the leader or
   * (KIP-392) a follower; a leader may point a consumer in another rack to a closer replica.
   */
  private async handleFetch(request: FetchRequest): Promise<FetchResponse> {
    const fromFollower = request.replicaId >= 0;
    const read = (first: boolean): { responses: FetchResponse['responses']; bytes: number; waitOn: { replica: Partition; fetchOffset: number; highWatermark: number }[]; answerNow: boolean } => {
      let bytes = 0;
      // Errors and KIP-392 redirects are answered at once, not long-polled.
      let answerNow = false;
      const waitOn: { replica: Partition; fetchOffset: number; highWatermark: number }[] = [];
      const responses = request.topics.map((topic) => ({
        topic: topic.topic,
        partitions: topic.partitions.map((p): FetchPartitionResponse => {
          const out: FetchPartitionResponse = { partitionIndex: p.partition, errorCode: 0, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, records: null };
          try {
            const replica = fromFollower ? this.leaderPartition(topic.topic, p.partition) : this.hostedPartition(topic.topic, p.partition);
            this.checkLeaderEpoch(replica, p.currentLeaderEpoch);
            // Also with OFFSET_OUT_OF_RANGE: a follower behind it starts over there.
            out.logStartOffset = replica.log.logStartOffset;
            let maxOffset = replica.highWatermark;
            if (fromFollower) {
              if (!replica.replicas.includes(request.replicaId)) throw new KafkaProtocolError('NOT_LEADER_OR_FOLLOWER', `broker ${request.replicaId} is not a replica of ${replica.name}`);
              if (p.fetchOffset > replica.log.logEndOffset) throw new KafkaProtocolError('OFFSET_OUT_OF_RANGE', `follower ${request.replicaId} fetches ${replica.name} at ${p.fetchOffset}, past the leader's log end ${replica.log.logEndOffset}`);
              // The follower's last epoch must end at or after its fetch offset here too; else its log
              // diverged (a truncation it missed) and must be reconciled before it counts (KIP-595's divergingEpoch).
              if (p.lastFetchedEpoch >= 0) {
                const end = replica.endOffsetForEpoch(p.lastFetchedEpoch);
                if (end.leaderEpoch < p.lastFetchedEpoch || end.endOffset < p.fetchOffset) {
                  throw new KafkaProtocolError('OFFSET_OUT_OF_RANGE', `follower ${request.replicaId} diverged: its epoch ${p.lastFetchedEpoch} ends at ${end.endOffset} (epoch ${end.leaderEpoch}) in the leader's log, before its fetch offset ${p.fetchOffset}`);
                }
              }
              // The follower has everything below its fetch offset: that moves the ISR and the high watermark.
              if (first) replica.updateFollowerFetchState(request.replicaId, p.fetchOffset);
              maxOffset = replica.log.logEndOffset;
            } else if (first && replica.role === 'leader' && request.rackId) {
              const preferred = this.preferredReadReplica(replica, request.rackId, p.fetchOffset);
              if (preferred !== this.nodeId) {
                out.preferredReadReplica = preferred;
                out.highWatermark = replica.highWatermark;
                out.lastStableOffset = replica.highWatermark;
                out.logStartOffset = replica.log.logStartOffset;
                out.records = new Uint8Array(0);
                this.ctx.events({ type: 'preferred-read-replica', time: this.ctx.clock.now(), node: this.address, topic: topic.topic, partition: p.partition, clientRack: request.rackId, replica: preferred });
                answerNow = true;
                return out;
              }
            }
            out.highWatermark = replica.highWatermark;
            out.lastStableOffset = replica.highWatermark;
            out.logStartOffset = replica.log.logStartOffset;
            // Consumers never read past the high watermark; followers read up to the log end.
            const data = replica.log.read(p.fetchOffset, maxOffset, Math.min(p.partitionMaxBytes, request.maxBytes));
            out.records = data.bytes;
            bytes += data.bytes.byteLength;
            if (data.bytes.byteLength === 0) waitOn.push({ replica, fetchOffset: p.fetchOffset, highWatermark: replica.highWatermark });
          } catch (error) {
            out.errorCode = errorCode(asKafkaError(error).type);
            answerNow = true;
          }
          return out;
        }),
      }));
      return { responses, bytes, waitOn, answerNow };
    };
    let result = read(true);
    if (result.bytes < request.minBytes && !result.answerNow && request.maxWaitMs > 0 && result.waitOn.length > 0) {
      // Long poll: wait for new data (for a follower), or a high watermark change, or maxWaitMs.
      await Promise.race(result.waitOn.map(({ replica, fetchOffset, highWatermark }) => replica.waitUntil(
        () => replica.highWatermark !== highWatermark || (fromFollower && replica.log.logEndOffset > fetchOffset), request.maxWaitMs,
      )));
      if (this.stopped) return { errorCode: 0, responses: [] };
      result = read(false);
    }
    return { errorCode: 0, responses: result.responses };
  }

  /**
   * Kafka's RackAwareReplicaSelector (replica.selector.class): the leader if it is in the
   * consumer's rack, else the most caught-up in-sync replica in that rack that has the offset.
   */
  private preferredReadReplica(leader: Partition, clientRack: string, fetchOffset: number): number {
    if (this.config['replica.selector.class'] !== 'RackAwareReplicaSelector') return this.nodeId;
    const rackOf = (id: number) => this.image.brokers.get(id)?.rack ?? null;
    if (rackOf(this.nodeId) === clientRack) return this.nodeId;
    let best = this.nodeId;
    let bestEnd = -1;
    for (const id of leader.isr) {
      const end = leader.followerLogEndOffset(id);
      if (id === this.nodeId || rackOf(id) !== clientRack || this.image.brokers.get(id)?.fenced !== false || end < fetchOffset) continue;
      if (end > bestEnd) {
        best = id;
        bestEnd = end;
      }
    }
    return best;
  }

  /** OffsetForLeaderEpoch (KIP-101): where a leader epoch ends in this leader's log. */
  private handleOffsetForLeaderEpoch(request: OffsetForLeaderEpochRequest): OffsetForLeaderEpochResponse {
    return {
      topics: request.topics.map((topic) => ({
        topic: topic.topic,
        partitions: topic.partitions.map((p) => {
          try {
            const replica = this.leaderPartition(topic.topic, p.partition);
            this.checkLeaderEpoch(replica, p.currentLeaderEpoch);
            return { errorCode: 0, partition: p.partition, ...replica.endOffsetForEpoch(p.leaderEpoch) };
          } catch (error) {
            return { errorCode: errorCode(asKafkaError(error).type), partition: p.partition, leaderEpoch: -1, endOffset: -1 };
          }
        }),
      })),
    };
  }

  private handleListOffsets(request: ListOffsetsRequest): ListOffsetsResponse {
    return {
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((p) => {
          try {
            const replica = this.leaderPartition(topic.name, p.partitionIndex);
            let offset: number;
            if (p.timestamp === EARLIEST_TIMESTAMP) offset = replica.log.logStartOffset;
            else if (p.timestamp === LATEST_TIMESTAMP) {
              // A new leader's high watermark may lag what the old one had committed: Kafka makes clients wait.
              if (replica.highWatermarkBehindEpochStart) throw new KafkaProtocolError('OFFSET_NOT_AVAILABLE', `the new leader of ${replica.name} has not yet caught its high watermark up to the start of leader epoch ${replica.leaderEpoch}`);
              offset = replica.highWatermark;
            }
            else offset = Math.min(replica.log.offsetForTimestamp(p.timestamp) ?? replica.highWatermark, replica.highWatermark);
            return { partitionIndex: p.partitionIndex, errorCode: 0, timestamp: -1, offset, leaderEpoch: replica.leaderEpoch };
          } catch (error) {
            return { partitionIndex: p.partitionIndex, errorCode: errorCode(asKafkaError(error).type), timestamp: -1, offset: -1, leaderEpoch: -1 };
          }
        }),
      })),
    };
  }

  /**
   * DeleteRecords at each partition's leader. Kafka then waits (up to timeoutMs) until every
   * replica's log start offset has caught up; here the answer comes once the leader moved its
   * own, and its followers follow on their next fetch.
   */
  private async handleDeleteRecords(request: DeleteRecordsRequest): Promise<DeleteRecordsResponse> {
    return {
      topics: await Promise.all(request.topics.map(async (topic) => ({
        name: topic.name,
        partitions: await Promise.all(topic.partitions.map(async (p) => {
          try {
            const replica = this.leaderPartition(topic.name, p.partitionIndex);
            const policy = this.image.topics.get(topic.name)?.configs['cleanup.policy'];
            if (!cleanupPolicyDeletes(policy)) throw new KafkaProtocolError('POLICY_VIOLATION', `records of ${replica.name} cannot be deleted: its cleanup.policy is ${policy}`);
            return { partitionIndex: p.partitionIndex, lowWatermark: await replica.deleteRecords(p.offset), errorCode: 0 };
          } catch (error) {
            return { partitionIndex: p.partitionIndex, lowWatermark: -1, errorCode: errorCode(asKafkaError(error).type) };
          }
        })),
      }))),
    };
  }

  private async handleFindCoordinator(request: FindCoordinatorRequest): Promise<FindCoordinatorResponse> {
    const fail = (type: ErrorName, message: string): FindCoordinatorResponse => ({ errorCode: errorCode(type), errorMessage: message, nodeId: -1, host: '', port: -1 });
    if (request.keyType !== 0) return fail('INVALID_REQUEST', 'transaction coordinators are not available yet');
    if (!request.key) return fail('INVALID_GROUP_ID', 'The group id must not be empty');
    const offsetsTopic = this.image.topics.get(CONSUMER_OFFSETS_TOPIC);
    if (!offsetsTopic) {
      // As Kafka: the first FindCoordinator creates `__consumer_offsets`; the client retries meanwhile.
      const replicationFactor = this.config['offsets.topic.replication.factor'];
      if (this.image.liveBrokers().length < replicationFactor) {
        return fail('COORDINATOR_NOT_AVAILABLE', `${CONSUMER_OFFSETS_TOPIC} needs ${replicationFactor} live brokers (offsets.topic.replication.factor)`);
      }
      if (!this.creatingOffsetsTopic) {
        this.creatingOffsetsTopic = true;
        void this.forwardToController('CreateTopics', {
          topics: [{ name: CONSUMER_OFFSETS_TOPIC, numPartitions: this.config['offsets.topic.num.partitions'], replicationFactor, configs: [{ name: 'cleanup.policy', value: 'compact' }] }],
          timeoutMs: 5000, validateOnly: false,
        }).finally(() => { this.creatingOffsetsTopic = false; });
      }
      return fail('COORDINATOR_NOT_AVAILABLE', `${CONSUMER_OFFSETS_TOPIC} is being created`);
    }
    const index = partitionForGroup(request.key, offsetsTopic.partitions.length);
    const leader = offsetsTopic.partitions[index]?.leader ?? -1;
    if (leader < 0) return fail('COORDINATOR_NOT_AVAILABLE', `${CONSUMER_OFFSETS_TOPIC}-${index} has no leader`);
    return { errorCode: 0, errorMessage: null, nodeId: leader, host: brokerAddress(leader), port: 9092 };
  }
}

function isLegalTopicName(name: string): boolean {
  try {
    validateTopicName(name);
    return true;
  } catch {
    return false;
  }
}

/** Whether a forwarded admin response says "not the active controller" (for every item). */
function answeredNotController(response: unknown): boolean {
  const code = errorCode('NOT_CONTROLLER');
  const r = response as { errorCode?: number; topics?: { errorCode: number }[]; responses?: { errorCode: number }[]; results?: { errorCode: number }[] };
  const items = r.topics ?? r.responses ?? r.results;
  return items ? items.length > 0 && items.every((t) => t.errorCode === code) : r.errorCode === code;
}
