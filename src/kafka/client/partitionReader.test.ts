/**
 * The partition reader against a simulated cluster (3 brokers, replication factor 3): records
 * with their batches (offsets, producer id / epoch, base sequence) read by Fetch from the leader,
 * seeking into a batch, paging by nextOffset, nothing at or past the high watermark, and a leader
 * that moves.
 */
import { describe, expect, it } from 'vitest';
import { clusterWithTopic } from '../../sim/simCluster';
import { decodeFetchedBatches, type FetchedRecord } from './partitionReader';
import type { KafkaProtocolError } from './errors';
import { encodeBatch } from '../storage/recordBatch';

const TOPIC = 'browse';
const text = (bytes: Uint8Array | null) => (bytes ? new TextDecoder().decode(bytes) : null);

async function setup() {
  const { cluster, scheduler, kafka } = await clusterWithTopic({ seed: 7, topic: TOPIC, partitions: 2 });
  const producer = kafka.producer({ idempotent: true });
  await scheduler.await(producer.connect());
  // Three sends to partition 0: three batches of 3, 1 and 4 records.
  const sizes = [3, 1, 4];
  let n = 0;
  for (const size of sizes) {
    const messages = Array.from({ length: size }, () => ({ partition: 0, key: `k${n}`, value: `v${n}`, headers: { seq: String(n++) } }));
    await scheduler.await(producer.send({ topic: TOPIC, acks: -1, messages }));
  }
  const readerKafka = cluster.kafka({ clientId: 'browser' });
  const reader = readerKafka.partitionReader();
  const leaderOf = (partition: number) => cluster.controller().image.partition(TOPIC, partition)!.leader;
  return { cluster, scheduler, reader, leaderOf, total: n };
}

const offsets = (records: FetchedRecord[]) => records.map((r) => r.offset);

describe('PartitionReader', () => {
  it('reads records with their batches from the leader, from any offset, up to the high watermark', async () => {
    const { cluster, scheduler, reader, leaderOf, total } = await setup();
    const fetches: { to: string }[] = [];
    cluster.onEvent((e) => {
      if (e.type === 'message-sent' && e.api === 'Fetch' && e.kind === 'request' && e.from.startsWith('client-2')) fetches.push({ to: e.to });
    });

    expect(await scheduler.await(reader.offsets(TOPIC, 0))).toEqual({ leader: leaderOf(0), logStartOffset: 0, highWatermark: total });

    const all = await scheduler.await(reader.read(TOPIC, 0, 0));
    expect(all.leader).toBe(leaderOf(0));
    expect(fetches.every((f) => f.to === `broker-${leaderOf(0)}`)).toBe(true);
    expect(fetches.length).toBeGreaterThan(0);
    expect(offsets(all.records)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(all.records.map((r) => [text(r.key), text(r.value), text(r.headers[0].value)])).toEqual(
      Array.from({ length: total }, (_, i) => [`k${i}`, `v${i}`, String(i)]),
    );
    expect(all.records[0].headers[0].key).toBe('seq');
    // One batch per send, each with the idempotent producer's id, epoch and its first record's sequence.
    expect(all.batches.map((b) => [b.baseOffset, b.lastOffset, b.baseSequence, b.recordCount])).toEqual([[0, 2, 0, 3], [3, 3, 3, 1], [4, 7, 4, 4]]);
    expect(new Set(all.batches.map((b) => b.producerId)).size).toBe(1);
    expect(all.batches[0].producerId).toBeGreaterThanOrEqual(0);
    expect(all.batches[0].producerEpoch).toBe(0);
    expect(all.records[5].batch).toBe(all.batches[2]);
    expect(all.nextOffset).toBe(total);
    expect(all.highWatermark).toBe(total);

    // Seeking into the middle of a batch: the batch comes whole, the records start at the offset.
    const mid = await scheduler.await(reader.read(TOPIC, 0, 5));
    expect(offsets(mid.records)).toEqual([5, 6, 7]);
    expect(mid.batches.map((b) => b.baseOffset)).toEqual([4]);

    // At the high watermark there is nothing yet; past the log end is out of range.
    const end = await scheduler.await(reader.read(TOPIC, 0, total));
    expect(end.records).toEqual([]);
    expect(end.nextOffset).toBe(total);
    await expect(scheduler.await(reader.read(TOPIC, 0, total + 5))).rejects.toMatchObject({ type: 'OFFSET_OUT_OF_RANGE' } satisfies Partial<KafkaProtocolError>);

    // An empty partition.
    expect((await scheduler.await(reader.read(TOPIC, 1, 0))).records).toEqual([]);
  });

  it('pages through a partition by nextOffset when a read is bounded by maxBytes', async () => {
    const { scheduler, reader, total } = await setup();
    const seen: number[] = [];
    let offset = 0;
    let reads = 0;
    while (offset < total) {
      const page = await scheduler.await(reader.read(TOPIC, 0, offset, { maxBytes: 1 }));
      // The first batch always comes whole, however small maxBytes is.
      expect(page.batches).toHaveLength(1);
      seen.push(...offsets(page.records));
      offset = page.nextOffset;
      reads++;
    }
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(reads).toBe(3);
  });

  it('follows the leader when it moves', async () => {
    const { cluster, scheduler, reader, leaderOf, total } = await setup();
    const before = leaderOf(0);
    await scheduler.await(reader.read(TOPIC, 0, 0));
    cluster.killBroker(before);
    await scheduler.runUntilTrue(() => leaderOf(0) !== before && leaderOf(0) >= 0, 60_000, 'a new leader');
    const after = await scheduler.await(reader.read(TOPIC, 0, 0), 120_000, 'read after failover');
    expect(after.leader).toBe(leaderOf(0));
    expect(after.leader).not.toBe(before);
    // acks=all: every acknowledged record is on the new leader.
    expect(offsets(after.records)).toEqual(Array.from({ length: total }, (_, i) => i));
  });

  it('decodes nothing from no bytes, and only records below the high watermark', async () => {
    expect(await decodeFetchedBatches(null, 3)).toEqual({ records: [], batches: [], nextOffset: 3 });
    const { scheduler, reader } = await setup();
    const page = await scheduler.await(reader.read(TOPIC, 0, 0));
    // The same bytes cut at offset 5 (as a batch straddling the high watermark would be).
    const bytes = await encodeBatch({ baseOffset: 0, records: page.records.map((r) => ({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp })) });
    const cut = await decodeFetchedBatches(bytes, 2, 5);
    expect(offsets(cut.records)).toEqual([2, 3, 4]);
    expect(cut.nextOffset).toBe(5);
  });

  it('says when the bytes hold no whole batch from the position on: the first is larger than the fetch size', async () => {
    const bytes = await encodeBatch({ baseOffset: 0, records: [{ key: null, value: new Uint8Array(200), timestamp: 0 }] });
    const decoded = await decodeFetchedBatches(bytes.subarray(0, 100), 0);
    expect(decoded.records).toEqual([]);
    expect(decoded.error).toMatch(/first batch at offset 0 is larger than the fetch size \(100 bytes received\)/);
    expect((await decodeFetchedBatches(bytes, 0)).error).toBeUndefined();
  });
});
