/**
 * KafkaJS's admin client. CreateTopics and DeleteTopics go to any live broker, which forwards
 * them to the active controller (KIP-590); the rest are Metadata, ListOffsets, and for groups
 * ListGroups (every broker coordinates some groups: all are asked) and, at each group's
 * coordinator, DescribeGroups, OffsetFetch, OffsetCommit and DeleteGroups.
 *
 * listTopics() lists what a Metadata request for all topics returns: the broker leaves out
 * internal topics (`__consumer_offsets`), so they are not listed.
 *
 * Configs: describeConfigs is DescribeConfigs (topics at any broker, a broker's own configs at
 * that broker). KafkaJS's alterConfigs is Kafka's legacy AlterConfigs, which replaces a
 * resource's whole set of overrides; the playground speaks only IncrementalAlterConfigs
 * (KIP-339), so alterConfigs asks for the topic's current overrides and sends SET for every
 * entry given and DELETE for every other override: unspecified configs revert to their
 * defaults, as with AlterConfigs. Unlike AlterConfigs this is two requests, not one atomic
 * write: an override another client sets in between is deleted. incrementalAlterConfigs (the
 * Java Admin's, not in KafkaJS) changes only the entries it names.
 */
import { errorName, isRetriable, type ErrorName } from '../protocol/errors';
import { ALTER_CONFIG_OPS, CONFIG_RESOURCE_TYPES, CONFIG_SOURCES, type AlterConfigOpName } from '../config';
import {
  EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, type CreateTopicsRequest, type DescribeConfigsRequest, type DescribeConfigsResponse,
  type IncrementalAlterConfigsRequest, type ListOffsetsResponse,
} from '../protocol/messages';
import { Cluster, groupBy, type ClientRuntime, type PartitionMetadata } from './cluster';
import { describeGroups, type GroupDescription } from './consumerGroup';
import { KafkaJSError, KafkaJSNonRetriableError, KafkaJSTimeout, KafkaProtocolError, kafkaErrorType, partitionError } from './errors';
import { InstrumentationEmitter, createLogger, type Logger } from './instrumentation';
import { retryPolicy, sleep, type RetryOptions } from './retry';

export const ADMIN_EVENTS = {
  CONNECT: 'admin.connect',
  DISCONNECT: 'admin.disconnect',
  REQUEST: 'admin.network.request',
  REQUEST_TIMEOUT: 'admin.network.request_timeout',
  REQUEST_QUEUE_SIZE: 'admin.network.request_queue_size',
} as const;

export interface AdminConfig { retry?: RetryOptions }

export interface ITopicConfig {
  topic: string;
  /** -1 (default): the broker's num.partitions. */
  numPartitions?: number;
  /** -1 (default): the broker's default.replication.factor. */
  replicationFactor?: number;
  replicaAssignment?: { partition: number; replicas: number[] }[];
  configEntries?: { name: string; value: string }[];
}

export interface ITopicMetadata { name: string; partitions: PartitionMetadata[] }

/** KafkaJS's error from deleteTopicRecords: each partition that failed, with its error; retriable only if all are. */
export class KafkaJSDeleteTopicRecordsError extends KafkaJSError {
  readonly partitions: { partition: number; offset: string; error: Error }[];
  constructor({ partitions }: { topic: string; partitions: { partition: number; offset: string; error: Error }[] }) {
    super('Error while deleting records', { retriable: partitions.every(({ error }) => (error as { retriable?: boolean }).retriable === true) });
    this.name = 'KafkaJSDeleteTopicRecordsError';
    this.partitions = partitions;
  }
}

/** KafkaJS's error from deleteGroups: `groups` lists each group that failed, with its error. */
export class KafkaJSDeleteGroupsError extends KafkaJSError {
  constructor(message: string, readonly groups: { groupId: string; errorCode: number; error: KafkaProtocolError }[] = []) {
    super(message, { retriable: false });
    this.name = 'KafkaJSDeleteGroupsError';
  }
}

/** KafkaJS's ConfigResourceTypes: ConfigResource.Type ids. */
export const ConfigResourceTypes = CONFIG_RESOURCE_TYPES;
/** KafkaJS's ConfigSource: where a described config's value comes from. */
export const ConfigSource = CONFIG_SOURCES;
/** The Java Admin's AlterConfigOp.OpType, for incrementalAlterConfigs. */
export const AlterConfigOpTypes = ALTER_CONFIG_OPS;

export interface ResourceConfigQuery { type: number; name: string; configNames?: string[] }
export interface ConfigSynonyms { configName: string; configValue: string | null; configSource: number }
export interface ConfigEntries {
  configName: string; configValue: string | null; isDefault: boolean; configSource: number;
  isSensitive: boolean; readOnly: boolean; configSynonyms: ConfigSynonyms[];
}
export interface DescribeConfigResponse {
  resources: { configEntries: ConfigEntries[]; errorCode: number; errorMessage: string | null; resourceName: string; resourceType: number }[];
  throttleTime: number;
}
export interface IResourceConfig { type: number; name: string; configEntries: { name: string; value: string }[] }
export interface IncrementalResourceConfig {
  type: number; name: string;
  /** operation: 'SET' (default), 'DELETE', 'APPEND', 'SUBTRACT', or its AlterConfigOpTypes id. */
  configEntries: { name: string; value?: string | null; operation?: AlterConfigOpName | number }[];
}
export interface AlterConfigsResponse { resources: { errorCode: number; errorMessage: string | null; resourceName: string; resourceType: number }[]; throttleTime: number }

const resourceKey = (type: number, name: string) => `${type}:${name}`;
/** The broker's errorMessage without the error name it starts with. */
const bareMessage = (type: ErrorName, message: string | null) => (message?.startsWith(`${type}: `) ? message.slice(type.length + 2) : message);

/** The admin errors KafkaJS retries: the request reached a broker that could not reach the controller. */
const ADMIN_RETRIABLE = new Set<ErrorName>(['NOT_CONTROLLER']);

export class Admin {
  readonly events = ADMIN_EVENTS;
  private readonly cluster: Cluster;
  private readonly instrumentation: InstrumentationEmitter;
  private connected = false;

  constructor(private readonly runtime: ClientRuntime, config: AdminConfig = {}) {
    this.instrumentation = new InstrumentationEmitter(runtime.context.clock, Object.values(ADMIN_EVENTS));
    this.cluster = new Cluster(runtime, retryPolicy(runtime.retry, config.retry), {
      onRequest: (info) => this.instrumentation.emit(info.timedOut ? ADMIN_EVENTS.REQUEST_TIMEOUT : ADMIN_EVENTS.REQUEST, {
        apiKey: 0, apiName: info.apiName, apiVersion: 0, broker: info.broker, clientId: runtime.clientId, correlationId: 0,
        createdAt: info.createdAt, sentAt: info.createdAt, pendingDuration: 0, duration: info.duration, size: 0,
      }),
    });
  }

  on(eventName: string, listener: (event: any) => void): () => void {
    return this.instrumentation.on(eventName, listener);
  }

  logger(): Logger {
    return createLogger((level, message) => this.cluster.log(level, message), 'Admin');
  }

  async connect(): Promise<void> {
    await this.cluster.retry(() => this.cluster.refreshMetadata());
    this.connected = true;
    this.instrumentation.emit(ADMIN_EVENTS.CONNECT);
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    this.instrumentation.emit(ADMIN_EVENTS.DISCONNECT);
  }

  async listTopics(): Promise<string[]> {
    const response = await this.cluster.retry(() => this.cluster.refreshMetadata(null));
    return response.topics.filter((t) => t.errorCode === 0).map((t) => t.name);
  }

  async describeCluster(): Promise<{ brokers: { nodeId: number; host: string; port: number }[]; controller: number | null; clusterId: string }> {
    const response = await this.cluster.retry(() => this.cluster.refreshMetadata([]));
    return {
      brokers: response.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port })),
      controller: response.controllerId >= 0 ? response.controllerId : null,
      clusterId: response.clusterId,
    };
  }

  /**
   * Resolves true when every topic was created, false when some already existed (KafkaJS
   * swallows TOPIC_ALREADY_EXISTS). Any other error is thrown: the first topic's
   * KafkaProtocolError, with `errors` listing every topic's error.
   */
  async createTopics({ topics, validateOnly = false, waitForLeaders = true, timeout = 5000 }: {
    topics: ITopicConfig[]; validateOnly?: boolean; waitForLeaders?: boolean; timeout?: number;
  }): Promise<boolean> {
    if (!Array.isArray(topics) || topics.length === 0) throw new KafkaJSNonRetriableError(`Invalid topics array ${String(topics)}`);
    if (topics.some((t) => !t || typeof t.topic !== 'string' || t.topic.length === 0)) {
      throw new KafkaJSNonRetriableError('Invalid topics array, the topic names have to be a valid string');
    }
    if (new Set(topics.map((t) => t.topic)).size !== topics.length) {
      throw new KafkaJSNonRetriableError('Invalid topics array, it cannot have multiple entries for the same topic');
    }
    const requests = new Map(topics.map((t) => [t.topic, {
      name: t.topic,
      numPartitions: t.numPartitions ?? -1,
      replicationFactor: t.replicationFactor ?? -1,
      assignments: t.replicaAssignment?.map((a) => ({ partitionIndex: a.partition, brokerIds: [...a.replicas] })),
      configs: t.configEntries?.map((c) => ({ name: c.name, value: String(c.value) })),
    } satisfies CreateTopicsRequest['topics'][number]]));
    const results = await this.topicRequest([...requests.keys()], async (names) => {
      const response = await this.cluster.requestAnyBroker('CreateTopics',
        { topics: names.map((n) => requests.get(n)!), timeoutMs: timeout, validateOnly }, this.runtime.requestTimeout + timeout);
      return response.topics.map((t) => ({ name: t.name, errorCode: t.errorCode, errorMessage: t.errorMessage }));
    });
    const errors = this.errorsOf(results);
    const fatal = errors.filter((e) => e.type !== 'TOPIC_ALREADY_EXISTS');
    if (fatal.length > 0) throw this.aggregate(fatal[0], errors, 'CreateTopics');
    const created = results.filter((r) => r.errorCode === 0).map((r) => r.name);
    if (waitForLeaders && !validateOnly && created.length > 0) await this.waitForLeaders(created, timeout);
    return errors.length === 0;
  }

  /**
   * KafkaJS's createPartitions (kafka-topics.sh --alter --partitions): CreatePartitions through
   * any broker to the active controller. `count` is the new total; `assignments` optionally lists
   * each new partition's replicas. Producers and consumers see the new partitions at their next
   * metadata refresh (metadataMaxAge); a consumer group then rebalances to include them.
   */
  async createPartitions({ topicPartitions, validateOnly = false, timeout = 5000 }: {
    topicPartitions: { topic: string; count: number; assignments?: number[][] }[]; validateOnly?: boolean; timeout?: number;
  }): Promise<boolean> {
    if (!Array.isArray(topicPartitions) || topicPartitions.length === 0) throw new KafkaJSNonRetriableError(`Invalid topic partitions array ${String(topicPartitions)}`);
    if (topicPartitions.some((t) => !t || typeof t.topic !== 'string' || t.topic.length === 0)) {
      throw new KafkaJSNonRetriableError('Invalid topic partitions array, the topic names have to be a valid string');
    }
    if (new Set(topicPartitions.map((t) => t.topic)).size !== topicPartitions.length) {
      throw new KafkaJSNonRetriableError('Invalid topic partitions array, it cannot have multiple entries for the same topic');
    }
    const requests = new Map(topicPartitions.map((t) => [t.topic, { name: t.topic, count: t.count, assignments: t.assignments?.map((brokerIds) => ({ brokerIds: [...brokerIds] })) ?? null }]));
    const results = await this.topicRequest([...requests.keys()], async (names) => {
      const response = await this.cluster.requestAnyBroker('CreatePartitions',
        { topics: names.map((n) => requests.get(n)!), timeoutMs: timeout, validateOnly }, this.runtime.requestTimeout + timeout);
      return response.results;
    });
    const errors = this.errorsOf(results);
    if (errors.length > 0) throw this.aggregate(errors[0], errors, 'CreatePartitions');
    return true;
  }

  async deleteTopics({ topics, timeout = 5000 }: { topics: string[]; timeout?: number }): Promise<void> {
    if (!Array.isArray(topics) || topics.length === 0) throw new KafkaJSNonRetriableError(`Invalid topics array ${String(topics)}`);
    if (topics.some((t) => typeof t !== 'string' || t.length === 0)) {
      throw new KafkaJSNonRetriableError('Invalid topics array, the names must be a valid string');
    }
    const results = await this.topicRequest(topics, async (names) => {
      const response = await this.cluster.requestAnyBroker('DeleteTopics', { topicNames: names, timeoutMs: timeout }, this.runtime.requestTimeout + timeout);
      return response.responses;
    });
    for (const r of results) if (r.errorCode === 0) this.cluster.topics.delete(r.name);
    const errors = this.errorsOf(results);
    if (errors.length > 0) throw this.aggregate(errors[0], errors, 'DeleteTopics');
  }

  async fetchTopicMetadata({ topics }: { topics?: string[] } = {}): Promise<{ topics: ITopicMetadata[] }> {
    let names: string[];
    if (topics && topics.length > 0) {
      await this.requireTopics(topics, false);
      names = topics;
    } else {
      const response = await this.cluster.retry(() => this.cluster.refreshMetadata(null));
      names = response.topics.filter((t) => t.errorCode === 0).map((t) => t.name);
    }
    return { topics: names.map((name) => ({ name, partitions: this.cluster.partitionMetadata(name) })) };
  }

  /** Per partition: the high watermark (offset and high) and the log start offset (low). */
  async fetchTopicOffsets(topic: string): Promise<{ partition: number; offset: string; high: string; low: string }[]> {
    const [low, high] = await Promise.all([this.listOffsets(topic, EARLIEST_TIMESTAMP), this.listOffsets(topic, LATEST_TIMESTAMP)]);
    return [...high.keys()].sort((a, b) => a - b).map((partition) => ({
      partition, offset: String(high.get(partition)), high: String(high.get(partition)), low: String(low.get(partition)),
    }));
  }

  /**
   * KafkaJS's deleteTopicRecords (kafka-delete-records.sh): DeleteRecords at each partition's
   * leader moves its log start offset up to `offset` ('-1': the high watermark). An offset past
   * the high watermark fails with OFFSET_OUT_OF_RANGE; one below the log start changes nothing
   * (a warning). Partitions that succeeded are not sent again when others are retried.
   */
  async deleteTopicRecords({ topic, partitions }: { topic: string; partitions: { partition: number; offset: string }[] }): Promise<void> {
    if (!topic || typeof topic !== 'string') throw new KafkaJSNonRetriableError(`Invalid topic "${String(topic)}"`);
    if (!Array.isArray(partitions) || partitions.length === 0) throw new KafkaJSNonRetriableError('Invalid partitions');
    await this.freshTopics([topic]);
    const leaderOf = (partition: number) => this.cluster.partitions(topic).find((p) => p.partitionIndex === partition)?.leaderId ?? -1;
    const leaderless = partitions.filter((p) => leaderOf(p.partition) < 0);
    if (leaderless.length > 0) {
      throw new KafkaJSDeleteTopicRecordsError({ topic, partitions: leaderless.map((p) => ({ ...p, error: new KafkaJSNonRetriableError('Could not find leader for the partition') })) });
    }
    const done = new Set<number>();
    await this.cluster.retry(async () => {
      const failed: { partition: number; offset: string; error: Error }[] = [];
      await Promise.all([...groupBy(partitions.filter((p) => !done.has(p.partition)), (p) => leaderOf(p.partition))].map(async ([leader, list]) => {
        try {
          const response = await this.cluster.request(leader, 'DeleteRecords', {
            topics: [{ name: topic, partitions: list.map((p) => ({ partitionIndex: p.partition, offset: Number(p.offset) })) }], timeoutMs: 5000,
          });
          for (const result of response.topics.flatMap((t) => t.partitions)) {
            const asked = list.find((p) => p.partition === result.partitionIndex)!;
            if (result.errorCode !== 0) {
              failed.push({ ...asked, error: partitionError(errorName(result.errorCode), topic, result.partitionIndex) });
              continue;
            }
            done.add(asked.partition);
            if (Number(asked.offset) >= 0 && result.lowWatermark > Number(asked.offset)) {
              this.logger().warn('The requested offset is before the earliest offset maintained on the partition - no records will be deleted from this partition', { topic, partition: asked.partition, offset: asked.offset });
            }
          }
        } catch (error) {
          for (const p of list) failed.push({ ...p, error: error as Error });
        }
      }));
      if (failed.length > 0) throw new KafkaJSDeleteTopicRecordsError({ topic, partitions: failed });
    }, { beforeRetry: async () => { await this.cluster.refreshMetadata([topic]).catch(() => undefined); } });
  }

  /** Per partition: the first offset whose timestamp is at or after `timestamp` (the high watermark if none). */
  async fetchTopicOffsetsByTimestamp(topic: string, timestamp?: number): Promise<{ partition: number; offset: string }[]> {
    const offsets = await this.listOffsets(topic, timestamp ?? LATEST_TIMESTAMP);
    return [...offsets.keys()].sort((a, b) => a - b).map((partition) => ({ partition, offset: String(offsets.get(partition)) }));
  }

  /** The group's committed offsets, '-1' where none. */
  async fetchOffsets({ groupId, topics, topic }: { groupId: string; topics?: string[]; topic?: string }): Promise<{ topic: string; partitions: { partition: number; offset: string; metadata: string | null }[] }[]> {
    if (!groupId) throw new KafkaJSNonRetriableError(`Invalid groupId ${String(groupId)}`);
    const names = topics ?? (topic ? [topic] : null);
    let request: { name: string; partitionIndexes: number[] }[] | null = null;
    if (names) {
      await this.freshTopics(names);
      request = names.map((name) => ({ name, partitionIndexes: this.cluster.partitions(name).map((p) => p.partitionIndex) }));
    }
    const response = await this.cluster.coordinatorRequest(groupId, 'OffsetFetch', { groupId, topics: request },
      (r) => (r.errorCode !== 0 ? errorName(r.errorCode) : undefined));
    if (response.errorCode !== 0) throw new KafkaProtocolError(errorName(response.errorCode), `OffsetFetch for group ${groupId}`);
    return response.topics.map((t) => ({
      topic: t.name,
      partitions: t.partitions.map((p) => ({ partition: p.partitionIndex, offset: String(p.committedOffset), metadata: p.metadata ?? null })),
    }));
  }

  /** Each group as its coordinator describes it (state, protocol, members with their metadata and assignment). */
  async describeGroups(groupIds: string[]): Promise<{ groups: GroupDescription[] }> {
    if (!Array.isArray(groupIds) || groupIds.some((g) => typeof g !== 'string' || g.length === 0)) {
      throw new KafkaJSNonRetriableError(`Invalid groupIds array ${String(groupIds)}`);
    }
    return { groups: await describeGroups(this.cluster, groupIds) };
  }

  /** Every group of every live broker (each lists the groups it coordinates). */
  async listGroups(): Promise<{ groups: { groupId: string; protocolType: string }[] }> {
    await this.cluster.retry(() => this.cluster.refreshMetadata([]));
    const perBroker = await Promise.all([...this.cluster.brokers.keys()].sort((a, b) => a - b).map((nodeId) => this.cluster.retry(async () => {
      const response = await this.cluster.request(nodeId, 'ListGroups', { statesFilter: [] });
      if (response.errorCode !== 0) throw new KafkaProtocolError(errorName(response.errorCode), `ListGroups to broker ${nodeId}`);
      return response.groups;
    })));
    const groups = new Map<string, { groupId: string; protocolType: string }>();
    for (const g of perBroker.flat()) groups.set(g.groupId, { groupId: g.groupId, protocolType: g.protocolType });
    return { groups: [...groups.values()] };
  }

  /**
   * Deletes groups that have no members, with their committed offsets. Any failure (as
   * GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP) throws KafkaJSDeleteGroupsError naming each group's error.
   */
  async deleteGroups(groupIds: string[]): Promise<{ groupId: string; errorCode: number }[]> {
    if (!Array.isArray(groupIds) || groupIds.length === 0 || groupIds.some((g) => typeof g !== 'string' || g.length === 0)) {
      throw new KafkaJSNonRetriableError(`Invalid groupIds array ${String(groupIds)}`);
    }
    const results = await Promise.all([...new Set(groupIds)].map(async (groupId) => {
      const response = await this.cluster.coordinatorRequest(groupId, 'DeleteGroups', { groupsNames: [groupId] },
        (r) => (r.results[0] && r.results[0].errorCode !== 0 ? errorName(r.results[0].errorCode) : undefined));
      return { groupId, errorCode: response.results.find((r) => r.groupId === groupId)?.errorCode ?? 0 };
    }));
    const failed = results.filter((r) => r.errorCode !== 0)
      .map((r) => ({ ...r, error: new KafkaProtocolError(errorName(r.errorCode), `DeleteGroups for group ${r.groupId}`) }));
    if (failed.length > 0) {
      const error = new KafkaJSDeleteGroupsError(`Error in DeleteGroups: ${failed.map((f) => `${f.groupId}: ${f.error.type}`).join(', ')}`, failed);
      this.cluster.reportError('DeleteGroups', error);
      throw error;
    }
    return results;
  }

  /**
   * Commits offsets for a group from outside it (generation -1, no member id), which the
   * coordinator accepts only while the group has no members: otherwise UNKNOWN_MEMBER_ID.
   */
  async setOffsets({ groupId, topic, partitions }: { groupId: string; topic: string; partitions: { partition: number; offset: string }[] }): Promise<void> {
    if (!groupId) throw new KafkaJSNonRetriableError(`Invalid groupId ${String(groupId)}`);
    const response = await this.cluster.coordinatorRequest(groupId, 'OffsetCommit', {
      groupId, generationIdOrMemberEpoch: -1, memberId: '',
      topics: [{ name: topic, partitions: partitions.map((p) => ({ partitionIndex: p.partition, committedOffset: Number(p.offset), committedLeaderEpoch: -1, committedMetadata: null })) }],
    }, (r) => {
      const failed = r.topics.flatMap((t) => t.partitions).find((p) => p.errorCode !== 0);
      return failed ? errorName(failed.errorCode) : undefined;
    });
    for (const t of response.topics) {
      for (const p of t.partitions) if (p.errorCode !== 0) throw new KafkaProtocolError(errorName(p.errorCode), `OffsetCommit ${t.name}-${p.partitionIndex} for group ${groupId}`);
    }
  }

  /** Moves a group to the earliest or latest offsets of a topic. */
  async resetOffsets({ groupId, topic, earliest = false }: { groupId: string; topic: string; earliest?: boolean }): Promise<void> {
    const offsets = await this.fetchTopicOffsets(topic);
    await this.setOffsets({ groupId, topic, partitions: offsets.map((o) => ({ partition: o.partition, offset: earliest ? o.low : o.high })) });
  }

  /**
   * DescribeConfigs: each resource's configs with value, source (ConfigSource), read-only and,
   * with includeSynonyms, where else the value could come from. Throws the first resource's error.
   */
  async describeConfigs({ resources, includeSynonyms = false }: { resources: ResourceConfigQuery[]; includeSynonyms?: boolean }): Promise<DescribeConfigResponse> {
    this.checkResources(resources, (r) => {
      const names = (r as ResourceConfigQuery).configNames;
      if (names !== undefined && names !== null && !Array.isArray(names)) throw new KafkaJSNonRetriableError(`Invalid resource configNames ${String(names)}: ${JSON.stringify(r)}`);
    });
    const results = await this.describeRaw(resources, includeSynonyms);
    const failed = results.find((r) => r.errorCode !== 0);
    if (failed) throw this.resourceError(failed, 'DescribeConfigs');
    return {
      resources: results.map((r) => ({
        resourceType: r.resourceType, resourceName: r.resourceName, errorCode: r.errorCode, errorMessage: r.errorMessage,
        configEntries: r.configs.map((c) => ({
          configName: c.name, configValue: c.value, readOnly: c.readOnly, isDefault: c.configSource === CONFIG_SOURCES.DEFAULT_CONFIG,
          configSource: c.configSource, isSensitive: c.isSensitive,
          configSynonyms: c.synonyms.map((s) => ({ configName: s.name, configValue: s.value, configSource: s.source })),
        })),
      })),
      throttleTime: 0,
    };
  }

  /**
   * KafkaJS's alterConfigs (AlterConfigs semantics: the entries given become the resource's whole
   * set of overrides, every other one reverts to its default), sent as IncrementalAlterConfigs:
   * SET each entry given, DELETE each other topic override. See the note at the top of this file.
   */
  async alterConfigs({ validateOnly = false, resources }: { validateOnly?: boolean; resources: IResourceConfig[] }): Promise<AlterConfigsResponse> {
    this.checkResources(resources, (r) => {
      if (!Array.isArray((r as IResourceConfig).configEntries)) throw new KafkaJSNonRetriableError(`Invalid resource configEntries ${String((r as IResourceConfig).configEntries)}: ${JSON.stringify(r)}`);
    });
    const topics = resources.filter((r) => r.type === CONFIG_RESOURCE_TYPES.TOPIC);
    const current = topics.length > 0 ? await this.describeRaw(topics.map((r) => ({ type: r.type, name: r.name })), false) : [];
    return this.incrementalAlter(validateOnly, resources.map((r) => {
      const given = new Set(r.configEntries.map((e) => e.name));
      const overrides = current.find((c) => c.resourceType === r.type && c.resourceName === r.name)?.configs
        .filter((c) => c.configSource === CONFIG_SOURCES.TOPIC_CONFIG && !given.has(c.name)) ?? [];
      return {
        resourceType: r.type, resourceName: r.name,
        configs: [
          ...r.configEntries.map((e) => ({ name: e.name, configOperation: ALTER_CONFIG_OPS.SET, value: String(e.value) })),
          ...overrides.map((c) => ({ name: c.name, configOperation: ALTER_CONFIG_OPS.DELETE, value: null })),
        ],
      };
    }));
  }

  /**
   * The Java Admin's incrementalAlterConfigs (KIP-339; not in KafkaJS): only the entries named
   * change: SET a value, DELETE an override (back to the default), APPEND to or SUBTRACT from a list.
   */
  async incrementalAlterConfigs({ validateOnly = false, resources }: { validateOnly?: boolean; resources: IncrementalResourceConfig[] }): Promise<AlterConfigsResponse> {
    this.checkResources(resources, (r) => {
      if (!Array.isArray((r as IncrementalResourceConfig).configEntries)) throw new KafkaJSNonRetriableError(`Invalid resource configEntries: ${JSON.stringify(r)}`);
    });
    return this.incrementalAlter(validateOnly, resources.map((r) => ({
      resourceType: r.type, resourceName: r.name,
      configs: r.configEntries.map((e) => {
        const operation = typeof e.operation === 'string' ? ALTER_CONFIG_OPS[e.operation] : e.operation ?? ALTER_CONFIG_OPS.SET;
        if (!Object.values(ALTER_CONFIG_OPS).includes(operation as 0)) throw new KafkaJSNonRetriableError(`Invalid config operation ${String(e.operation)} for ${e.name}`);
        return { name: e.name, configOperation: operation, value: e.value === undefined || e.value === null ? null : String(e.value) };
      }),
    })));
  }

  private checkResources(resources: unknown, check: (resource: unknown) => void): void {
    if (!Array.isArray(resources)) throw new KafkaJSNonRetriableError(`Invalid resources array ${String(resources)}`);
    if (resources.length === 0) throw new KafkaJSNonRetriableError('Resources array cannot be empty');
    const types = Object.values(CONFIG_RESOURCE_TYPES) as number[];
    for (const r of resources as { type: unknown; name: unknown }[]) {
      if (!types.includes(r?.type as number)) throw new KafkaJSNonRetriableError(`Invalid resource type ${String(r?.type)}: ${JSON.stringify(r)}`);
      if (!r.name || typeof r.name !== 'string') throw new KafkaJSNonRetriableError(`Invalid resource name ${String(r.name)}: ${JSON.stringify(r)}`);
      check(r);
    }
  }

  /** DescribeConfigs results in request order: a broker's own configs from that broker, the rest from any. */
  private async describeRaw(resources: ResourceConfigQuery[], includeSynonyms: boolean): Promise<DescribeConfigsResponse['results']> {
    const toRequest = (list: ResourceConfigQuery[]): DescribeConfigsRequest => ({
      resources: list.map((r) => ({ resourceType: r.type, resourceName: r.name, configurationKeys: r.configNames ?? null })),
      includeSynonyms, includeDocumentation: false,
    });
    const byBroker = groupBy(resources, (r) => (r.type === CONFIG_RESOURCE_TYPES.BROKER && /^\d+$/.test(r.name) ? Number(r.name) : -1));
    const results = new Map<string, DescribeConfigsResponse['results'][number]>();
    await Promise.all([...byBroker].map(([broker, list]) => this.cluster.retry(async () => {
      const response = broker < 0
        ? await this.cluster.requestAnyBroker('DescribeConfigs', toRequest(list))
        : await this.cluster.request(broker, 'DescribeConfigs', toRequest(list));
      const retriable = response.results.find((r) => r.errorCode !== 0 && isRetriable(errorName(r.errorCode)));
      if (retriable) throw new KafkaProtocolError(errorName(retriable.errorCode), retriable.errorMessage ?? undefined);
      for (const r of response.results) results.set(resourceKey(r.resourceType, r.resourceName), r);
    })));
    return resources.map((r) => results.get(resourceKey(r.type, r.name)) ?? { errorCode: -1, errorMessage: 'no result for the resource', resourceType: r.type, resourceName: r.name, configs: [] });
  }

  /** IncrementalAlterConfigs to any broker, which forwards it to the controller; NOT_CONTROLLER is retried. */
  private async incrementalAlter(validateOnly: boolean, resources: IncrementalAlterConfigsRequest['resources']): Promise<AlterConfigsResponse> {
    const byKey = new Map(resources.map((r) => [resourceKey(r.resourceType, r.resourceName), r]));
    const results = await this.topicRequest([...byKey.keys()], async (keys) => {
      const response = await this.cluster.requestAnyBroker('IncrementalAlterConfigs',
        { resources: keys.map((k) => byKey.get(k)!), validateOnly }, this.runtime.requestTimeout + 5000);
      return response.responses.map((r) => ({ name: resourceKey(r.resourceType, r.resourceName), errorCode: r.errorCode, errorMessage: r.errorMessage }));
    });
    const out = resources.map((r, i) => ({ errorCode: results[i].errorCode, errorMessage: results[i].errorMessage, resourceName: r.resourceName, resourceType: r.resourceType }));
    const failed = out.find((r) => r.errorCode !== 0);
    if (failed) throw this.resourceError(failed, 'AlterConfigs');
    return { resources: out, throttleTime: 0 };
  }

  /** A resource's error as KafkaJS throws it: KafkaJSProtocolError with Kafka's name, the broker's message, and the resource. */
  private resourceError(r: { errorCode: number; errorMessage: string | null; resourceType: number; resourceName: string }, operation: string): KafkaProtocolError {
    const type = errorName(r.errorCode);
    const typeName = (Object.keys(CONFIG_RESOURCE_TYPES) as (keyof typeof CONFIG_RESOURCE_TYPES)[]).find((k) => CONFIG_RESOURCE_TYPES[k] === r.resourceType) ?? r.resourceType;
    const error = Object.assign(
      new KafkaProtocolError(type, `${bareMessage(type, r.errorMessage) ?? type} (${String(typeName).toLowerCase()} ${r.resourceName})`),
      { resourceType: r.resourceType, resourceName: r.resourceName },
    );
    this.cluster.reportError(operation, error);
    return error;
  }

  // ---- Helpers -----------------------------------------------------------------------------

  /**
   * Sends a per-topic admin request, re-sending (to whichever broker answers) the topics that
   * failed with NOT_CONTROLLER, and the whole request after a timeout.
   */
  private async topicRequest(names: string[], send: (names: string[]) => Promise<{ name: string; errorCode: number; errorMessage: string | null }[]>): Promise<{ name: string; errorCode: number; errorMessage: string | null }[]> {
    const results = new Map<string, { name: string; errorCode: number; errorMessage: string | null }>();
    await this.cluster.retry(async () => {
      const pending = names.filter((n) => !results.has(n) || ADMIN_RETRIABLE.has(errorName(results.get(n)!.errorCode)));
      for (const r of await send(pending)) results.set(r.name, r);
      const retry = pending.map((n) => results.get(n)).find((r) => r && ADMIN_RETRIABLE.has(errorName(r.errorCode)));
      if (retry) throw new KafkaProtocolError(errorName(retry.errorCode), retry.errorMessage ?? `topic ${retry.name}`);
    }, { refresh: false }).catch((error) => {
      // Out of retries on NOT_CONTROLLER: report the per-topic results we have.
      if (!ADMIN_RETRIABLE.has(kafkaErrorType(error)!) || results.size === 0) throw error;
    });
    return names.map((n) => results.get(n) ?? { name: n, errorCode: -1, errorMessage: 'no result for the topic' });
  }

  private errorsOf(results: { name: string; errorCode: number; errorMessage: string | null }[]): (KafkaProtocolError & { topic: string })[] {
    return results.filter((r) => r.errorCode !== 0).map((r) => {
      const error = new KafkaProtocolError(errorName(r.errorCode), `${r.errorMessage ? `${r.errorMessage} ` : ''}(topic ${r.name})`);
      return Object.assign(error, { topic: r.name });
    });
  }

  private aggregate(first: KafkaProtocolError, errors: KafkaProtocolError[], operation: string): KafkaProtocolError {
    Object.assign(first, { errors });
    this.cluster.reportError(operation, first);
    return first;
  }

  /** Polls metadata until every partition of `topics` has a leader, for at most `timeout` ms. */
  private async waitForLeaders(topics: string[], timeout: number): Promise<void> {
    const clock = this.runtime.context.clock;
    const deadline = clock.now() + timeout;
    for (;;) {
      try {
        const response = await this.cluster.refreshMetadata(topics);
        const ready = topics.every((name) => {
          const meta = response.topics.find((t) => t.name === name);
          return meta && meta.errorCode === 0 && meta.partitions.length > 0 && meta.partitions.every((p) => p.leaderId >= 0);
        });
        if (ready) return;
      } catch {
        // a timeout: try again until the deadline
      }
      const left = deadline - clock.now();
      if (left <= 0) throw new KafkaJSTimeout(`Timed out after ${timeout} ms waiting for the leaders of ${topics.join(', ')}`);
      await sleep(clock, Math.min(100, left));
    }
  }

  private async freshTopics(topics: string[]): Promise<void> {
    this.cluster.addTargetTopics(topics);
    await this.requireTopics(topics, true);
  }

  /** Refreshes metadata until every topic is known (and, if asked, has partitions), retrying as the client does. */
  private async requireTopics(topics: string[], needPartitions: boolean): Promise<void> {
    await this.cluster.retry(async () => {
      const response = await this.cluster.refreshMetadata(topics);
      for (const name of topics) {
        const meta = response.topics.find((t) => t.name === name);
        if (!meta) throw new KafkaProtocolError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${name}`);
        if (meta.errorCode !== 0) throw new KafkaProtocolError(errorName(meta.errorCode), `topic ${name}`);
        if (needPartitions && meta.partitions.length === 0) throw new KafkaProtocolError('LEADER_NOT_AVAILABLE', `topic ${name}`);
      }
    }, { refresh: false });
  }

  /** ListOffsets for every partition of a topic, at each partition's leader, retrying leadership errors. */
  private async listOffsets(topic: string, timestamp: number): Promise<Map<number, number>> {
    await this.freshTopics([topic]);
    const offsets = new Map<number, number>();
    await this.cluster.retry(async () => {
      const pending = this.cluster.partitions(topic).filter((p) => !offsets.has(p.partitionIndex));
      let firstError: unknown = null;
      await Promise.all([...groupBy(pending, (p) => p.leaderId)].map(async ([leader, partitions]) => {
        if (leader < 0) {
          firstError ??= new KafkaProtocolError('LEADER_NOT_AVAILABLE', `topic ${topic}, partition ${partitions[0].partitionIndex}`);
          return;
        }
        let response: ListOffsetsResponse;
        try {
          response = await this.cluster.request(leader, 'ListOffsets', {
            replicaId: -1, isolationLevel: 0,
            topics: [{ name: topic, partitions: partitions.map((p) => ({ partitionIndex: p.partitionIndex, currentLeaderEpoch: -1, timestamp })) }],
          });
        } catch (error) {
          firstError ??= error;
          return;
        }
        for (const p of response.topics.flatMap((t) => t.partitions)) {
          if (p.errorCode === 0) offsets.set(p.partitionIndex, p.offset);
          else firstError ??= new KafkaProtocolError(errorName(p.errorCode), `topic ${topic}, partition ${p.partitionIndex}`);
        }
      }));
      if (firstError) throw firstError;
    });
    return offsets;
  }
}
