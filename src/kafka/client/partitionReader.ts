/**
 * Reads one partition from an offset, as `kafka-console-consumer.sh --partition P --offset N`
 * does: a Fetch (replicaId -1, so the leader answers only up to the high watermark) to the
 * partition's leader, found in the client's metadata, without a group and without committing.
 * Unlike a Consumer it keeps each record's batch: base and last offset, partition leader
 * epoch, producer id / epoch and base sequence, so the playground's message browser can show
 * the log as it is stored. An extension beyond KafkaJS (which has no such API).
 */
import { errorName } from '../protocol/errors';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, type FetchRequest } from '../protocol/messages';
import { decodeRecords, scanBatches, type BatchHeader, type DecodedRecord } from '../storage/recordBatch';
import type { Cluster } from './cluster';
import { KafkaProtocolError, partitionError } from './errors';

/** A record batch as it sits in the log (the v2 batch header), without its records. */
export type FetchedBatch = Omit<BatchHeader, 'crc' | 'magic' | 'batchLength' | 'attributes'>;

/** A record as decoded from its batch (its timestamp: CreateTime as the producer set it, or the broker's LogAppendTime, as batch.timestampType says), with that batch. */
export interface FetchedRecord extends DecodedRecord {
  /** The batch the record was written in (shared by its records). */
  batch: FetchedBatch;
}

export interface PartitionRead {
  topic: string;
  partition: number;
  /** The broker that answered: the leader when the request was sent. */
  leader: number;
  /** Records at or after the offset asked for, below the high watermark, in offset order. */
  records: FetchedRecord[];
  /** Every batch that held a returned record, plus control batches, in order. */
  batches: FetchedBatch[];
  /** Where the next read continues: after the last batch returned (the offset asked for when none). */
  nextOffset: number;
  highWatermark: number;
  logStartOffset: number;
}

export interface PartitionOffsets { leader: number; logStartOffset: number; highWatermark: number }

export interface ReadOptions {
  /** Fetch's partition_max_bytes (and max_bytes): the first batch comes whole even when larger. Default 256 KiB. */
  maxBytes?: number;
  /** Fetch's max_wait_ms: how long the leader may hold the request for new records. Default 0: answer at once. */
  maxWaitMs?: number;
}

const DEFAULT_MAX_BYTES = 256 * 1024;

/**
 * The records of a fetched partition's bytes at or after `position` and below `highWatermark`:
 * batches may begin before `position` (a fetch returns whole batches); a trailing partial
 * batch is left for the next read, as a consumer does.
 */
export async function decodeFetchedBatches(bytes: Uint8Array | null, position: number, highWatermark = Infinity): Promise<{ records: FetchedRecord[]; batches: FetchedBatch[]; nextOffset: number; error?: string }> {
  const records: FetchedRecord[] = [];
  const batches: FetchedBatch[] = [];
  let nextOffset = position;
  if (!bytes || bytes.byteLength === 0) return { records, batches, nextOffset };
  const scan = scanBatches(bytes);
  for (const { at, header } of scan.batches) {
    if (header.lastOffset < position || header.baseOffset >= highWatermark) continue;
    const { crc: _crc, magic: _magic, batchLength: _length, attributes: _attributes, ...batch } = header;
    batches.push(batch);
    if (!header.isControl) {
      for (const r of await decodeRecords(bytes, at)) {
        if (r.offset >= position && r.offset < highWatermark) records.push({ offset: r.offset, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers, sizeInBytes: r.sizeInBytes, batch });
      }
    }
    nextOffset = Math.max(nextOffset, Math.min(header.lastOffset + 1, highWatermark));
  }
  if (scan.error && !scan.error.startsWith('partial')) return { records, batches, nextOffset, error: scan.error };
  // Bytes but not one whole batch from the position on: the first is larger than the fetch size, and would never come.
  if (!scan.batches.some(({ header }) => header.lastOffset >= position)) {
    return { records, batches, nextOffset, error: `the first batch at offset ${position} is larger than the fetch size (${bytes.byteLength} bytes received)` };
  }
  return { records, batches, nextOffset };
}

export class PartitionReader {
  constructor(private readonly cluster: Cluster) {}

  /** The leader's log start offset and high watermark (ListOffsets earliest and latest, as GetOffsetShell). */
  async offsets(topic: string, partition: number): Promise<PartitionOffsets> {
    return this.toLeader(topic, partition, async (leader) => {
      const ask = async (timestamp: number): Promise<number> => {
        const response = await this.cluster.request(leader, 'ListOffsets', {
          replicaId: -1, isolationLevel: 0, topics: [{ name: topic, partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp }] }],
        });
        const p = response.topics.find((t) => t.name === topic)?.partitions.find((x) => x.partitionIndex === partition);
        if (!p) throw partitionError('UNKNOWN_TOPIC_OR_PARTITION', topic, partition, 'ListOffsets');
        if (p.errorCode !== 0) throw partitionError(errorName(p.errorCode), topic, partition, `ListOffsets to broker ${leader}`);
        return p.offset;
      };
      const [logStartOffset, highWatermark] = await Promise.all([ask(EARLIEST_TIMESTAMP), ask(LATEST_TIMESTAMP)]);
      return { leader, logStartOffset, highWatermark };
    });
  }

  /**
   * Records from `offset` on, as far as one Fetch to the leader returns. An offset below the
   * log start or past the log end fails with OFFSET_OUT_OF_RANGE, as it does for a consumer;
   * one between the high watermark and the log end returns nothing (yet).
   */
  async read(topic: string, partition: number, offset: number, options: ReadOptions = {}): Promise<PartitionRead> {
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    const maxWaitMs = options.maxWaitMs ?? 0;
    return this.toLeader(topic, partition, async (leader) => {
      const request: FetchRequest = {
        replicaId: -1, maxWaitMs, minBytes: 1, maxBytes, isolationLevel: 0,
        topics: [{ topic, partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: maxBytes }] }],
      };
      const response = await this.cluster.request(leader, 'Fetch', request, this.cluster.runtime.requestTimeout + maxWaitMs);
      const p = response.responses.find((t) => t.topic === topic)?.partitions.find((x) => x.partitionIndex === partition);
      if (!p) throw partitionError('UNKNOWN_TOPIC_OR_PARTITION', topic, partition, 'Fetch');
      if (p.errorCode !== 0) throw partitionError(errorName(p.errorCode), topic, partition, `Fetch at offset ${offset} from broker ${leader}`);
      const decoded = await decodeFetchedBatches(p.records, offset, p.highWatermark);
      if (decoded.error && decoded.batches.length === 0) throw partitionError('CORRUPT_MESSAGE', topic, partition, decoded.error);
      return {
        topic, partition, leader, records: decoded.records, batches: decoded.batches, nextOffset: decoded.nextOffset,
        highWatermark: p.highWatermark, logStartOffset: p.logStartOffset,
      };
    });
  }

  /** Runs `request` against the partition's leader; leadership errors refresh the metadata and retry. */
  private async toLeader<T>(topic: string, partition: number, request: (leader: number) => Promise<T>): Promise<T> {
    await this.cluster.ensureTopics([topic], false);
    return this.cluster.retry(async () => {
      if (!this.cluster.partitions(topic).some((p) => p.partitionIndex === partition)) {
        throw partitionError('UNKNOWN_TOPIC_OR_PARTITION', topic, partition, 'no such partition in the metadata');
      }
      const leader = this.cluster.findLeader(topic, partition);
      if (leader < 0) throw new KafkaProtocolError('LEADER_NOT_AVAILABLE', `${topic}-${partition} has no leader`);
      return request(leader);
    });
  }
}
