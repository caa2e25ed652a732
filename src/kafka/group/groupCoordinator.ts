import type { Clock, EventSink } from '../ports';
import { KafkaProtocolError, errorCode, type ErrorName } from '../protocol/errors';
import type { OffsetCommitRequest, OffsetCommitResponse, OffsetFetchRequest, OffsetFetchResponse } from '../protocol/messages';
import { CONSUMER_OFFSETS_TOPIC } from '../protocol/messages';
import { javaStringHashCode, kafkaAbs } from '../common/serial';
import { decodeRecords, encodeBatch } from '../storage/recordBatch';
import type { Partition } from '../broker/partition';
import { decodeOffsetCommitKey, decodeOffsetCommitValue, encodeOffsetCommitKey, encodeOffsetCommitValue } from './offsetsRecords';

interface CommittedOffset { offset: number; leaderEpoch: number; metadata: string; commitTimestamp: number }

/** The `__consumer_offsets` partition that owns a group: abs(groupId.hashCode) mod partitions, as Kafka. */
export const partitionForGroup = (groupId: string, offsetsPartitions: number): number =>
  kafkaAbs(javaStringHashCode(groupId)) % offsetsPartitions;

/**
 * The group coordinator's offset store. Commits are records in the group's `__consumer_offsets`
 * partition, answered only once the high watermark covers them; the cache is rebuilt from that
 * log whenever this broker becomes the partition's leader, so offsets survive a coordinator move.
 * (Group membership, JoinGroup/SyncGroup/Heartbeat, arrives with consumer-group rebalancing.)
 */
export class GroupCoordinator {
  /** offsets partition -> group -> "topic-partition" -> committed offset */
  private readonly offsets = new Map<number, Map<string, Map<string, CommittedOffset>>>();
  private readonly loading = new Map<number, Promise<void>>();

  constructor(
    private readonly partitionsOf: () => number,
    private readonly offsetsPartition: (index: number) => Partition | undefined,
    private readonly clock: Clock,
    private readonly events: EventSink,
    private readonly node: string,
    private readonly commitTimeoutMs = 5000,
  ) {}

  /** Called when this broker becomes (or stops being) leader of an offsets partition. */
  onLeadershipChange(index: number, isLeader: boolean): void {
    if (!isLeader) {
      this.offsets.delete(index);
      this.loading.delete(index);
      return;
    }
    const loading: Promise<void> = this.load(index).then((groups) => {
      // A newer load (a later leadership change) wins over this one.
      if (this.loading.get(index) === loading) this.offsets.set(index, groups);
    });
    this.loading.set(index, loading);
  }

  private async load(index: number): Promise<Map<string, Map<string, CommittedOffset>>> {
    const partition = this.offsetsPartition(index);
    const groups = new Map<string, Map<string, CommittedOffset>>();
    if (partition) {
      for (const batch of [...partition.log.batchesFrom(partition.log.logStartOffset)]) {
        for (const record of await decodeRecords(batch.bytes)) {
          if (!record.key) continue;
          const key = decodeOffsetCommitKey(record.key);
          if (!key) continue;
          const group = groups.get(key.group) ?? new Map<string, CommittedOffset>();
          groups.set(key.group, group);
          // A null value is a tombstone: the offset was deleted.
          if (record.value === null) group.delete(`${key.topic}-${key.partition}`);
          else group.set(`${key.topic}-${key.partition}`, decodeOffsetCommitValue(record.value));
        }
      }
    }
    return groups;
  }

  /** Throws NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS unless this broker can answer for the group. */
  private async ownedGroup(groupId: string): Promise<{ index: number; partition: Partition; group: Map<string, CommittedOffset> }> {
    if (!groupId) throw new KafkaProtocolError('INVALID_GROUP_ID', 'The group id must not be empty');
    const index = partitionForGroup(groupId, this.partitionsOf());
    const partition = this.offsetsPartition(index);
    if (!partition || partition.role !== 'leader') throw new KafkaProtocolError('NOT_COORDINATOR', `this broker does not lead ${CONSUMER_OFFSETS_TOPIC}-${index}`);
    const loading = this.loading.get(index);
    if (!loading) throw new KafkaProtocolError('COORDINATOR_LOAD_IN_PROGRESS');
    await loading;
    const groups = this.offsets.get(index);
    if (!groups) throw new KafkaProtocolError('NOT_COORDINATOR');
    let group = groups.get(groupId);
    if (!group) {
      group = new Map();
      groups.set(groupId, group);
    }
    return { index, partition, group };
  }

  async handleOffsetCommit(request: OffsetCommitRequest): Promise<OffsetCommitResponse> {
    const fail = (code: number): OffsetCommitResponse => ({
      topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code })) })),
    });
    let owned;
    try {
      owned = await this.ownedGroup(request.groupId);
    } catch (error) {
      return fail(errorCode((error as KafkaProtocolError).type ?? 'UNKNOWN_SERVER_ERROR'));
    }
    const now = Math.floor(this.clock.now());
    const records = request.topics.flatMap((t) => t.partitions.map((p) => ({
      topic: t.name, partition: p.partitionIndex,
      value: { offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch, metadata: p.committedMetadata ?? '', commitTimestamp: now },
    })));
    if (records.length === 0) return { topics: [] };
    const batch = await encodeBatch({
      records: records.map((r) => ({
        key: encodeOffsetCommitKey({ group: request.groupId, topic: r.topic, partition: r.partition }),
        value: encodeOffsetCommitValue(r.value), timestamp: now,
      })),
    });
    try {
      const info = await owned.partition.appendAsLeader(batch);
      // Like acks=all: the commit is answered only once the ISR has it.
      if (!(await owned.partition.waitForHighWatermark(info.lastOffset + 1, this.commitTimeoutMs))) throw new KafkaProtocolError('REQUEST_TIMED_OUT');
    } catch (error) {
      return fail(errorCode(commitErrorName(error)));
    }
    for (const r of records) {
      owned.group.set(`${r.topic}-${r.partition}`, r.value);
      this.events({ type: 'offset-commit', time: now, node: this.node, groupId: request.groupId, topic: r.topic, partition: r.partition, offset: r.value.offset });
    }
    return fail(0);
  }

  async handleOffsetFetch(request: OffsetFetchRequest): Promise<OffsetFetchResponse> {
    let owned;
    try {
      owned = await this.ownedGroup(request.groupId);
    } catch (error) {
      return { errorCode: errorCode((error as KafkaProtocolError).type ?? 'UNKNOWN_SERVER_ERROR'), topics: [] };
    }
    const wanted = request.topics ?? groupTopics(owned.group);
    return {
      errorCode: 0,
      topics: wanted.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((partitionIndex) => {
          const committed = owned.group.get(`${t.name}-${partitionIndex}`);
          return {
            partitionIndex, errorCode: 0, committedOffset: committed?.offset ?? -1,
            committedLeaderEpoch: committed?.leaderEpoch ?? -1, metadata: committed?.metadata ?? null,
          };
        }),
      })),
    };
  }
}

/**
 * As Kafka's coordinator: a write that failed for replication or leadership reasons is reported
 * as a coordinator problem, so the client looks the coordinator up again and retries.
 */
function commitErrorName(error: unknown): ErrorName {
  const type = (error as KafkaProtocolError).type ?? 'UNKNOWN_SERVER_ERROR';
  switch (type) {
    case 'NOT_LEADER_OR_FOLLOWER':
    case 'UNKNOWN_TOPIC_OR_PARTITION':
      return 'NOT_COORDINATOR';
    case 'REQUEST_TIMED_OUT':
    case 'NOT_ENOUGH_REPLICAS':
    case 'NOT_ENOUGH_REPLICAS_AFTER_APPEND':
      return 'COORDINATOR_NOT_AVAILABLE';
    default:
      return type;
  }
}

function groupTopics(group: Map<string, CommittedOffset>): { name: string; partitionIndexes: number[] }[] {
  const byTopic = new Map<string, number[]>();
  for (const key of group.keys()) {
    const dash = key.lastIndexOf('-');
    const topic = key.slice(0, dash);
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), Number(key.slice(dash + 1))]);
  }
  return [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes: partitionIndexes.sort((a, b) => a - b) }));
}
