/**
 * KafkaJS's admin client. CreateTopics and DeleteTopics go to any live broker, which forwards
 * them to the active controller (KIP-590); the rest are Metadata, ListOffsets, and for groups
 * ListGroups (every broker coordinates some groups: all are asked) and, at each group's
 * coordinator, DescribeGroups, OffsetFetch, OffsetCommit and DeleteGroups.
 *
 * listTopics() lists what a Metadata request for all topics returns: the broker leaves out
 * internal topics (`__consumer_offsets`), so they are not listed.
 */
import { errorName, type ErrorName } from '../protocol/errors';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, type CreateTopicsRequest, type ListOffsetsResponse } from '../protocol/messages';
import { Cluster, groupBy, type ClientRuntime, type PartitionMetadata } from './cluster';
import { describeGroups, type GroupDescription } from './consumerGroup';
import { KafkaJSError, KafkaJSNonRetriableError, KafkaJSTimeout, KafkaProtocolError, kafkaErrorType } from './errors';
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

/** KafkaJS's error from deleteGroups: `groups` lists each group that failed, with its error. */
export class KafkaJSDeleteGroupsError extends KafkaJSError {
  constructor(message: string, readonly groups: { groupId: string; errorCode: number; error: KafkaProtocolError }[] = []) {
    super(message, { retriable: false });
    this.name = 'KafkaJSDeleteGroupsError';
  }
}

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
