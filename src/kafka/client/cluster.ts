/**
 * What every client object (producer, consumer, admin) knows of the cluster, as KafkaJS's Cluster:
 * a metadata cache filled by the Metadata API, leader lookup per topic-partition, the group
 * coordinator per group, and the retry policy that refreshes metadata when a leader moved.
 *
 * A broker whose process died fails requests at once with NETWORK_EXCEPTION (as a reset
 * connection); a lost message or a network cut is noticed only as a timeout.
 * Requests that any broker can answer (Metadata, FindCoordinator, and the admin requests a broker
 * forwards to the controller) go to the broker that answered last, then the other known brokers,
 * then the bootstrap list, moving on after each failure.
 */
import type { ClientContext } from './kafka';
import { brokerAddress } from '../config';
import type { Rpc } from '../common/rpc';
import { KafkaProtocolError, errorName, type ErrorName } from '../protocol/errors';
import type { ApiKey, MetadataBroker, MetadataPartition, MetadataResponse, MetadataTopic, RequestOf, ResponseOf } from '../protocol/messages';
import { errorMessage, isRetriableError, kafkaErrorType } from './errors';
import { withRetry, type RetryPolicy } from './retry';

/** Per Kafka instance: one Rpc (one network address) shared by all its clients, and the config. */
export interface ClientRuntime {
  context: ClientContext;
  rpc: Rpc;
  clientId: string;
  requestTimeout: number;
  /** How long a request to one broker of the bootstrap list may take before the next one is tried. */
  connectionTimeout: number;
  retry: RetryPolicy;
}

/** Errors after which the leader (or the topic) may have moved: refresh metadata before retrying. */
export const METADATA_REFRESH_ERRORS = new Set<ErrorName>([
  'NOT_LEADER_OR_FOLLOWER', 'LEADER_NOT_AVAILABLE', 'UNKNOWN_TOPIC_OR_PARTITION', 'REQUEST_TIMED_OUT',
  'NETWORK_EXCEPTION', 'FENCED_LEADER_EPOCH', 'UNKNOWN_LEADER_EPOCH', 'KAFKA_STORAGE_ERROR', 'REPLICA_NOT_AVAILABLE',
]);

/** Errors after which the group coordinator must be looked up again. */
export const COORDINATOR_ERRORS = new Set<ErrorName>(['COORDINATOR_NOT_AVAILABLE', 'NOT_COORDINATOR', 'COORDINATOR_LOAD_IN_PROGRESS']);

/** The partition metadata shape KafkaJS hands to partitioners and admin.fetchTopicMetadata. */
export interface PartitionMetadata {
  partitionErrorCode: number;
  partitionId: number;
  leader: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
}


export interface RequestInfo { apiName: ApiKey; broker: string; createdAt: number; duration: number; timedOut: boolean }

export class Cluster {
  readonly brokers = new Map<number, MetadataBroker>();
  readonly topics = new Map<string, MetadataTopic>();
  controllerId = -1;
  clusterId: string | null = null;
  private readonly targetTopics = new Set<string>();
  private readonly coordinators = new Map<string, number>();
  private preferredBroker: number | null = null;
  /** When the target topics were last refreshed (KafkaJS's metadata age). */
  private refreshedAt = -Infinity;

  constructor(
    readonly runtime: ClientRuntime,
    readonly policy: RetryPolicy,
    private readonly hooks: { onRequest?: (info: RequestInfo) => void; cancelled?: () => boolean } = {},
  ) {}

  get clock() {
    return this.runtime.context.clock;
  }

  get random() {
    return this.runtime.context.random;
  }

  get node(): string {
    return this.runtime.rpc.self;
  }

  /** Reports a failure to the event log (the UI shows it on the client's node). */
  reportError(operation: string, error: unknown): void {
    this.runtime.context.events({
      type: 'client-error', time: this.clock.now(), node: this.node, operation,
      error: kafkaErrorType(error) ?? (error instanceof Error ? error.name : 'Error'), message: errorMessage(error),
    });
  }

  log(level: 'info' | 'warn' | 'error', message: string): void {
    this.runtime.context.events({ type: 'log', time: this.clock.now(), node: this.node, level, message });
  }

  // ---- Requests ----------------------------------------------------------------------------

  async request<K extends ApiKey>(nodeId: number, api: K, body: RequestOf<K>, timeoutMs = this.runtime.requestTimeout): Promise<ResponseOf<K>> {
    const createdAt = this.clock.now();
    const broker = brokerAddress(nodeId);
    let timedOut = false;
    try {
      return await this.runtime.rpc.request(broker, api, body, { timeoutMs });
    } catch (error) {
      timedOut = kafkaErrorType(error) === 'REQUEST_TIMED_OUT';
      throw error;
    } finally {
      this.hooks.onRequest?.({ apiName: api, broker, createdAt, duration: this.clock.now() - createdAt, timedOut });
    }
  }

  sendOneWay<K extends ApiKey>(nodeId: number, api: K, body: RequestOf<K>): void {
    this.runtime.rpc.sendOneWay(brokerAddress(nodeId), api, body);
    this.hooks.onRequest?.({ apiName: api, broker: brokerAddress(nodeId), createdAt: this.clock.now(), duration: 0, timedOut: false });
  }

  /** Brokers to try for a request any broker can answer, best first. */
  private candidates(): number[] {
    const bootstrap = this.runtime.context.bootstrapBrokers();
    if (this.preferredBroker === null && bootstrap.length > 0) {
      // As KafkaJS picks a random seed broker: spreads clients over the cluster.
      this.preferredBroker = bootstrap[Math.floor(this.random.next() * bootstrap.length)];
    }
    const order: number[] = [];
    const add = (id: number) => {
      if (!order.includes(id)) order.push(id);
    };
    if (this.preferredBroker !== null) add(this.preferredBroker);
    for (const id of [...this.brokers.keys()].sort((a, b) => a - b)) add(id);
    for (const id of bootstrap) add(id);
    return order;
  }

  /** Sends to one broker after another until one answers; only timeouts move on to the next. */
  async requestAnyBroker<K extends ApiKey>(api: K, body: RequestOf<K>, timeoutMs = this.runtime.connectionTimeout): Promise<ResponseOf<K>> {
    const candidates = this.candidates();
    if (candidates.length === 0) throw new KafkaProtocolError('NETWORK_EXCEPTION', 'no broker to connect to');
    let lastError: unknown;
    for (const nodeId of candidates) {
      try {
        const response = await this.request(nodeId, api, body, timeoutMs);
        this.preferredBroker = nodeId;
        return response;
      } catch (error) {
        lastError = error;
        const type = kafkaErrorType(error);
        if (type !== 'REQUEST_TIMED_OUT' && type !== 'NETWORK_EXCEPTION') throw error;
        if (this.preferredBroker === nodeId) this.preferredBroker = null;
        if (this.hooks.cancelled?.()) break;
      }
    }
    throw lastError;
  }

  // ---- Metadata ----------------------------------------------------------------------------

  addTargetTopics(topics: Iterable<string>): void {
    for (const topic of topics) this.targetTopics.add(topic);
  }

  /**
   * Fetches metadata and merges it into the cache. `topics` undefined = the target topics (those
   * this client uses), null = every topic.
   */
  async refreshMetadata(topics?: string[] | null, allowAutoTopicCreation = false): Promise<MetadataResponse> {
    const requested = topics === undefined ? [...this.targetTopics] : topics;
    const startedAt = this.clock.now();
    const response = await this.requestAnyBroker('Metadata', { topics: requested, allowAutoTopicCreation });
    if (requested === null || [...this.targetTopics].every((t) => requested.includes(t))) this.refreshedAt = startedAt;
    this.brokers.clear();
    for (const broker of response.brokers) this.brokers.set(broker.nodeId, broker);
    this.controllerId = response.controllerId;
    this.clusterId = response.clusterId;
    const seen = new Set<string>();
    for (const topic of response.topics) {
      seen.add(topic.name);
      if (topic.errorCode === 0) {
        this.topics.set(topic.name, { ...topic, partitions: [...topic.partitions].sort((a, b) => a.partitionIndex - b.partitionIndex) });
      } else {
        this.topics.delete(topic.name);
      }
    }
    if (requested === null) {
      for (const name of [...this.topics.keys()]) if (!seen.has(name) && !name.startsWith('__')) this.topics.delete(name);
    }
    return response;
  }

  /**
   * KafkaJS's refreshMetadataIfNecessary: refreshes the target topics once `maxAgeMs`
   * (metadataMaxAge, metadata.max.age.ms) has passed since they were. This is how clients learn
   * of partitions added to a topic. After a failure it tries again once the retry policy's first
   * backoff has passed, not at every call.
   */
  async refreshMetadataIfNecessary(maxAgeMs: number): Promise<void> {
    if (this.clock.now() - this.refreshedAt < maxAgeMs) return;
    await this.refreshMetadata().catch(() => {
      this.refreshedAt = this.clock.now() - maxAgeMs + this.policy.initialRetryTime;
    });
  }

  /** The cached partitions of a topic, ordered by index (empty when unknown). */
  partitions(topic: string): MetadataPartition[] {
    return this.topics.get(topic)?.partitions ?? [];
  }

  /** The partitions of a topic in KafkaJS's shape. */
  partitionMetadata(topic: string): PartitionMetadata[] {
    return this.partitions(topic).map(toPartitionMetadata);
  }

  /** The leader's broker id, or -1 when unknown or leaderless. */
  findLeader(topic: string, partition: number): number {
    return this.partitions(topic).find((p) => p.partitionIndex === partition)?.leaderId ?? -1;
  }

  /**
   * Makes sure the cache holds every topic in `topics`, with its partitions, refreshing (and
   * retrying LEADER_NOT_AVAILABLE / UNKNOWN_TOPIC_OR_PARTITION, as while a topic is being
   * auto-created) as needed. Throws the topic's error when it does not come.
   */
  async ensureTopics(topics: string[], allowAutoTopicCreation: boolean): Promise<void> {
    this.addTargetTopics(topics);
    await this.retry(async () => {
      const missing = topics.filter((t) => this.partitions(t).length === 0);
      if (missing.length === 0) return;
      const response = await this.refreshMetadata([...new Set([...this.targetTopics, ...missing])], allowAutoTopicCreation);
      for (const topic of missing) {
        const meta = response.topics.find((t) => t.name === topic);
        if (!meta) throw new KafkaProtocolError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${topic} is not in the metadata`);
        if (meta.errorCode !== 0) throw new KafkaProtocolError(errorName(meta.errorCode), `topic ${topic}`);
        if (meta.partitions.length === 0) throw new KafkaProtocolError('LEADER_NOT_AVAILABLE', `topic ${topic} has no partitions yet`);
      }
    }, { refresh: false });
  }

  /**
   * Runs `operation` with the retry policy; before retrying after a leadership error (or a
   * timeout) the metadata is refreshed, so the next attempt goes to the new leader.
   */
  retry<T>(operation: (attempt: number) => Promise<T>, options: { refresh?: boolean; beforeRetry?: (error: unknown) => Promise<void> | void } = {}): Promise<T> {
    return withRetry({
      clock: this.clock,
      random: this.random,
      policy: this.policy,
      cancelled: this.hooks.cancelled,
      beforeRetry: async (error) => {
        await options.beforeRetry?.(error);
        const type = kafkaErrorType(error);
        if (options.refresh !== false && type && METADATA_REFRESH_ERRORS.has(type)) await this.refreshMetadata().catch(() => undefined);
      },
    }, operation);
  }

  // ---- Group coordinator -------------------------------------------------------------------

  /** The group's coordinator broker, found with FindCoordinator (cached until it fails). */
  async findGroupCoordinator(groupId: string): Promise<number> {
    const cached = this.coordinators.get(groupId);
    if (cached !== undefined) return cached;
    return this.retry(async () => {
      const response = await this.requestAnyBroker('FindCoordinator', { key: groupId, keyType: 0 });
      if (response.errorCode !== 0) throw new KafkaProtocolError(errorName(response.errorCode), response.errorMessage ?? `group ${groupId}`);
      this.coordinators.set(groupId, response.nodeId);
      return response.nodeId;
    }, { refresh: false });
  }

  /**
   * A request to the group's coordinator. COORDINATOR_NOT_AVAILABLE / NOT_COORDINATOR /
   * COORDINATOR_LOAD_IN_PROGRESS (from `errorOf`) and timeouts send it again to the coordinator
   * found anew; other errors in the response are the caller's. `timeoutMs` for requests the
   * coordinator may hold (JoinGroup waits for the whole group).
   */
  async coordinatorRequest<K extends ApiKey>(groupId: string, api: K, body: RequestOf<K>, errorOf: (response: ResponseOf<K>) => ErrorName | undefined, timeoutMs = this.runtime.requestTimeout): Promise<ResponseOf<K>> {
    return this.retry(async () => {
      const nodeId = await this.findGroupCoordinator(groupId);
      let response: ResponseOf<K>;
      try {
        response = await this.request(nodeId, api, body, timeoutMs);
      } catch (error) {
        if (isRetriableError(error)) this.coordinators.delete(groupId);
        throw error;
      }
      const type = errorOf(response);
      if (type && COORDINATOR_ERRORS.has(type)) {
        this.coordinators.delete(groupId);
        throw new KafkaProtocolError(type, `${api} for group ${groupId} to broker ${nodeId}`);
      }
      return response;
    }, { refresh: false });
  }
}

export function toPartitionMetadata(p: MetadataPartition): PartitionMetadata {
  return {
    partitionErrorCode: p.errorCode, partitionId: p.partitionIndex, leader: p.leaderId,
    replicas: [...p.replicaNodes], isr: [...p.isrNodes], offlineReplicas: [...p.offlineReplicas],
  };
}

/** Groups items by a key, keeping first-seen order. */
export function groupBy<T, K>(items: Iterable<T>, keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
