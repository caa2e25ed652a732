import { describe, expect, it } from 'vitest';
import { ProducerApp, producerAppOptions } from './producerApp';
import { clusterWithTopic } from '../sim/simCluster';
import { partitionForKey } from '../kafka/client/partitioner';
import type { ClusterEvent } from '../cluster/events';

type Sent = Extract<ClusterEvent, { type: 'producer-sent' }>;

describe('producerAppOptions', () => {
  it('fills in the defaults: KafkaJS acks -1, no idempotence, no key, no linger, no compression', () => {
    expect(producerAppOptions({ topic: 'demo' })).toEqual({
      topic: 'demo', ratePerSec: 1, keys: null, valueSize: null, acks: -1, idempotent: false, lingerMs: 0, batchSize: 16_384, compression: 'none',
    });
  });

  it('keeps what it is given; a count of keys becomes that many distinct keys', () => {
    expect(producerAppOptions({ topic: 'a', ratePerSec: 20, keys: 3, valueSize: 100, acks: 1, lingerMs: 5, batchSize: 1000, compression: 'lz4', clientId: 'orders' }))
      .toMatchObject({ ratePerSec: 20, keys: ['key-0', 'key-1', 'key-2'], valueSize: 100, acks: 1, lingerMs: 5, batchSize: 1000, compression: 'lz4', clientId: 'orders' });
    expect(producerAppOptions({ topic: 'a', keys: ['alice', 'bob'], idempotent: true }).keys).toEqual(['alice', 'bob']);
  });

  it.each([
    [null, /options must be an object/],
    [{}, /topic must be a non-empty string/],
    [{ topic: 'bad name!' }, /illegal/],
    [{ topic: 'a', rate: 5 }, /unknown option "rate"/],
    [{ topic: 'a', ratePerSec: 0 }, /ratePerSec must be a number of records per second above 0/],
    [{ topic: 'a', ratePerSec: 1e9 }, /at most 5000/],
    [{ topic: 'a', keys: [] }, /keys must be a non-empty list/],
    [{ topic: 'a', keys: [1] }, /keys must be strings/],
    [{ topic: 'a', keys: 0 }, /a count of keys must be an integer from 1/],
    [{ topic: 'a', keys: 'alice' }, /keys must be a list of strings, a count of distinct keys, or null/],
    [{ topic: 'a', acks: 2 }, /acks must be -1 \(all\), 1 \(the leader\) or 0/],
    [{ topic: 'a', acks: 1, idempotent: true }, /idempotent producer needs acks -1/],
    [{ topic: 'a', compression: 'brotli' }, /compression must be one of none, gzip, snappy, lz4, zstd/],
    [{ topic: 'a', lingerMs: -1 }, /lingerMs must be an integer from 0/],
    [{ topic: 'a', valueSize: 0 }, /valueSize must be an integer from 1/],
    [{ topic: 'a', clientId: '' }, /clientId must be a non-empty string/],
  ])('refuses %j', (options, message) => {
    expect(() => producerAppOptions(options)).toThrow(message);
  });
});

const clicks = (partitions: number) => clusterWithTopic({ seed: 7, topic: 'clicks', partitions });

describe('ProducerApp', () => {
  it('sends at its rate on the cluster clock, each key to its murmur2 partition, and reports acknowledged offsets that tile each partition', async () => {
    const { cluster, scheduler, admin } = await clicks(3);
    const events: ClusterEvent[] = [];
    const keys = ['alice', 'bob', 'carol', 'dave'];
    const app = new ProducerApp(cluster.kafka({ clientId: 'producer-1' }), scheduler.clockFor('producer-1'), 'producer-1', (e) => events.push(e),
      producerAppOptions({ topic: 'clicks', ratePerSec: 40, keys, idempotent: true }));
    await scheduler.await(app.start());
    await scheduler.runFor(5000);
    await scheduler.await(app.stop());

    const sent = events.filter((e): e is Sent => e.type === 'producer-sent');
    const total = sent.reduce((n, e) => n + e.acknowledged, 0);
    // 40 a second for 5 s, plus the first at start (a tick's worth of slack either way).
    expect(total).toBeGreaterThanOrEqual(195);
    expect(total).toBeLessThanOrEqual(205);
    expect(sent.every((e) => e.node === 'producer-1' && e.topic === 'clicks' && e.acks === -1 && Object.keys(e.errors).length === 0)).toBe(true);
    // About one summary a second, not one per record.
    expect(sent.length).toBeLessThanOrEqual(7);
    const ends = await scheduler.await(admin.fetchTopicOffsets('clicks'));
    const used = new Set(keys.map((k) => partitionForKey(k, 3)));
    for (const { partition, high } of ends) {
      const ranges = sent.flatMap((e) => e.partitions.filter((p) => p.partition === partition)).sort((a, b) => a.firstOffset! - b.firstOffset!);
      let next = 0;
      for (const r of ranges) {
        expect(r.firstOffset).toBe(next);
        expect(r.lastOffset! - r.firstOffset! + 1).toBe(r.count);
        next = r.lastOffset! + 1;
      }
      // Everything in the partition was acknowledged to this producer, and only keyed partitions got records.
      expect(next).toBe(Number(high));
      expect(Number(high) > 0).toBe(used.has(partition));
    }
  });

  it('with acks=0 counts records sent without offsets; with linger.ms several records share a batch', async () => {
    const { cluster, scheduler } = await clicks(2);
    const events: ClusterEvent[] = [];
    cluster.onEvent((e) => events.push(e));
    const mine: ClusterEvent[] = [];
    const app = new ProducerApp(cluster.kafka({ clientId: 'producer-2' }), scheduler.clockFor('producer-2'), 'producer-2', (e) => mine.push(e),
      producerAppOptions({ topic: 'clicks', ratePerSec: 100, acks: 0, lingerMs: 100, compression: 'gzip', valueSize: 64 }));
    await scheduler.await(app.start());
    await scheduler.runFor(2000);
    await scheduler.await(app.stop());
    const sent = mine.filter((e): e is Sent => e.type === 'producer-sent');
    expect(sent.reduce((n, e) => n + e.acknowledged, 0)).toBeGreaterThanOrEqual(190);
    expect(sent.flatMap((e) => e.partitions).every((p) => p.firstOffset === null && p.lastOffset === null)).toBe(true);
    const appends = events.filter((e) => e.type === 'log-append' && e.topic === 'clicks' && !e.replicated);
    // linger.ms 100 at 100 records/s: batches of several records, gzip-compressed.
    expect(appends.length).toBeGreaterThan(0);
    expect(appends.every((e) => e.type === 'log-append' && e.compression === 'gzip')).toBe(true);
    expect(Math.max(...appends.map((e) => (e.type === 'log-append' ? e.records : 0)))).toBeGreaterThan(2);
  });

  it('reports failed records by their Kafka error name (NOT_ENOUGH_REPLICAS with acks=all and the ISR below min.insync.replicas)', async () => {
    const { cluster, scheduler, admin } = await clicks(1);
    await scheduler.await(admin.createTopics({ topics: [{ topic: 'strict', numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '3' }] }] }));
    cluster.killBroker(3);
    // replica.lag.time.max.ms passes: the leader shrinks the ISR to two, below min.insync.replicas.
    await scheduler.runFor(60_000);
    const mine: ClusterEvent[] = [];
    const app = new ProducerApp(cluster.kafka({ clientId: 'producer-3' }), scheduler.clockFor('producer-3'), 'producer-3', (e) => mine.push(e),
      producerAppOptions({ topic: 'strict', ratePerSec: 2, acks: -1 }));
    await scheduler.await(app.start());
    await scheduler.runFor(30_000);
    await scheduler.await(app.stop());
    const sent = mine.filter((e): e is Sent => e.type === 'producer-sent');
    expect(sent.reduce((n, e) => n + e.acknowledged, 0)).toBe(0);
    expect(sent.reduce((n, e) => n + (e.errors.NOT_ENOUGH_REPLICAS ?? 0), 0)).toBeGreaterThan(0);
    expect(sent.flatMap((e) => Object.keys(e.errors))).toEqual(sent.flatMap(() => ['NOT_ENOUGH_REPLICAS']));
  });
});
