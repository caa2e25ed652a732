/**
 * Kafka's default partitioning, as the Java client (Utils.murmur2 / Utils.toPositive) and KafkaJS's
 * DefaultPartitioner compute it, so a key lands on the same partition as with a real client.
 */

const utf8 = new TextEncoder();

/**
 * Java's `Utils.murmur2`: 32-bit MurmurHash2, seed 0x9747b28c, as a signed 32-bit int.
 * Java int arithmetic is mirrored with Math.imul (wrapping multiply), `| 0` and `>>>`.
 */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  const seed = 0x9747b28c;
  const m = 0x5bd1e995;
  const r = 24;

  let h = (seed ^ length) | 0;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = (data[i4] & 0xff) + ((data[i4 + 1] & 0xff) << 8) + ((data[i4 + 2] & 0xff) << 16) + ((data[i4 + 3] & 0xff) << 24);
    k = Math.imul(k, m);
    k ^= k >>> r;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }

  // Java's `switch (length % 4)` with fall-through from case 3 to 2 to 1.
  const tail = length & ~3;
  const rest = length % 4;
  if (rest >= 3) h ^= (data[tail + 2] & 0xff) << 16;
  if (rest >= 2) h ^= (data[tail + 1] & 0xff) << 8;
  if (rest >= 1) {
    h ^= data[tail] & 0xff;
    h = Math.imul(h, m);
  }

  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** Java's `Utils.toPositive`: clears the sign bit (not Math.abs, which fails on MIN_VALUE). */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

/** The partition Kafka's default partitioner picks for a (non-null) key. */
export function partitionForKey(key: Uint8Array | string, numPartitions: number): number {
  if (!Number.isInteger(numPartitions) || numPartitions <= 0) throw new RangeError(`numPartitions must be a positive integer: ${numPartitions}`);
  const bytes = typeof key === 'string' ? utf8.encode(key) : key;
  return toPositive(murmur2(bytes)) % numPartitions;
}

export interface PartitionMetadata {
  partitionId: number;
  /** The leader's broker id; negative when the partition has no leader. */
  leader: number;
  [extra: string]: unknown;
}

export interface PartitionerArgs {
  topic: string;
  partitionMetadata: PartitionMetadata[];
  message: { key?: Uint8Array | string | null; partition?: number | null; [extra: string]: unknown };
}

/** A KafkaJS-compatible partitioner: picks the partition for one message. */
export type Partitioner = (args: PartitionerArgs) => number;

/**
 * KafkaJS's DefaultPartitioner (Java-compatible): an explicit `message.partition` wins; a key goes
 * to toPositive(murmur2(key)) % partitionCount; a null key goes round-robin over the partitions
 * that have a leader (all partitions when none has). The round-robin counter starts at
 * `startCounter` (KafkaJS uses a random start: pass one drawn from the Random port).
 */
export function createDefaultPartitioner(startCounter = 0): Partitioner {
  let counter = startCounter | 0;
  const next = () => {
    const value = counter;
    counter = (counter + 1) | 0;
    return value;
  };
  return ({ partitionMetadata, message }) => {
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    const numPartitions = partitionMetadata.length;
    if (numPartitions === 0) throw new RangeError('cannot partition: the topic has no partitions');
    if (message.key !== null && message.key !== undefined) return partitionForKey(message.key, numPartitions);
    const available = partitionMetadata.filter((p) => p.leader >= 0);
    if (available.length > 0) return available[toPositive(next()) % available.length].partitionId;
    return toPositive(next()) % numPartitions;
  };
}
