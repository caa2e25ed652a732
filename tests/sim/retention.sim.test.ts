import { describe, expect, it } from 'vitest';
import { clusterWithTopic, type SimCluster } from '../../src/sim/simCluster';
import { readBatchHeader } from '../../src/kafka/storage/recordBatch';
import type { NodeEvent } from '../../src/kafka/events';

/**
 * Seeded whole-cluster runs of retention (cleanup.policy=delete): every replica deletes its
 * oldest closed segments past retention.bytes or retention.ms, the log start offset moves on the
 * leader and its followers, a consumer starting from the beginning starts at the log start, and a
 * follower that was down while the leader deleted what it would fetch next starts over at the
 * leader's log start and rejoins the ISR. A failure names its seed; replay it with
 * SIM_SEED=<seed> npx vitest run tests/sim/retention.
 */
const seeds = process.env.SIM_SEED ? [Number(process.env.SIM_SEED)] : [401, 409, 419];
const TOPIC = 'clicks';
const SEGMENT_BYTES = 1024;
const RETENTION_BYTES = 3000;

/** A replica's log as its store holds it: first and next offset, and bytes. */
function storedLog(cluster: SimCluster, broker: number): { start: number; end: number; bytes: number } {
  const batches = cluster.brokers.get(broker)!.logStore.partitions.get(`${TOPIC}-0`) ?? [];
  if (batches.length === 0) return { start: -1, end: -1, bytes: 0 };
  return {
    start: batches[0].baseOffset, end: readBatchHeader(batches[batches.length - 1].bytes).lastOffset + 1,
    bytes: batches.reduce((sum, b) => sum + b.bytes.byteLength, 0),
  };
}

describe.each(seeds)('retention, seed %i', (seed) => {
  it('deletes old segments on every replica, consumers start at the log start, a returning follower starts over there', async () => {
    const { cluster, scheduler, kafka, admin } = await clusterWithTopic({
      seed, topic: TOPIC, partitions: 1,
      configEntries: [{ name: 'segment.bytes', value: String(SEGMENT_BYTES) }, { name: 'retention.bytes', value: String(RETENTION_BYTES) }, { name: 'min.insync.replicas', value: '1' }],
    });
    const events: NodeEvent[] = [];
    cluster.onEvent((e) => { if (e.type === 'log-start-moved' || e.type === 'log-truncated') events.push(e); });
    const producer = kafka.producer();
    await scheduler.await(producer.connect());
    const send = async (from: number, count: number) => {
      for (let i = from; i < from + count; i++) {
        await scheduler.await(producer.send({ topic: TOPIC, acks: -1, messages: [{ key: `k${i % 7}`, value: `click-${i}-${'x'.repeat(60)}` }] }), 30_000, `send ${i}`);
      }
    };
    const leader = () => cluster.controller().image.topics.get(TOPIC)!.partitions[0]!.leader;

    await send(0, 20);
    // One follower goes down; the rest of the writes, and the deletions, happen without it.
    const away = [1, 2, 3].find((b) => b !== leader())!;
    cluster.killBroker(away);
    await send(20, 80);
    await scheduler.runFor(12_000);

    const live = [1, 2, 3].filter((b) => b !== away);
    const logs = live.map((b) => storedLog(cluster, b));
    for (const log of logs) {
      expect(log.end, `seed ${seed}`).toBe(100);
      expect(log.start, `seed ${seed}: retention moved the log start`).toBeGreaterThan(0);
      // At least retention.bytes is kept, and no more than one segment beyond it.
      expect(log.bytes, `seed ${seed}`).toBeGreaterThanOrEqual(RETENTION_BYTES);
      expect(log.bytes, `seed ${seed}`).toBeLessThan(RETENTION_BYTES + SEGMENT_BYTES + 200);
    }
    const offsets = await scheduler.await(admin.fetchTopicOffsets(TOPIC));
    const logStart = Number(offsets[0].low);
    expect(logStart, `seed ${seed}`).toBe(storedLog(cluster, leader()).start);
    expect(events.some((e) => e.type === 'log-start-moved' && e.reason.includes('retention.bytes')), `seed ${seed}`).toBe(true);
    // The down follower's whole log is below the leader's log start now.
    expect(storedLog(cluster, away).end, `seed ${seed}`).toBeLessThan(logStart);

    // The follower returns: its fetch is below the leader's log start, so it starts over there and catches up.
    await cluster.startBroker(away);
    await scheduler.runFor(15_000);
    const image = cluster.controller().image.topics.get(TOPIC)!.partitions[0]!;
    expect(image.isr, `seed ${seed}: it rejoined the ISR`).toContain(away);
    const back = storedLog(cluster, away);
    expect(back.end, `seed ${seed}`).toBe(100);
    expect(back.start, `seed ${seed}`).toBeGreaterThanOrEqual(logStart);
    expect(events.some((e) => e.type === 'log-truncated' && e.node === `broker-${away}` && e.reason.includes('starts over')), `seed ${seed}`).toBe(true);

    // (__consumer_offsets needs all three brokers.) A consumer with no committed offset, from the beginning, starts at the log start and reads on without a gap.
    const consumed: number[] = [];
    const consumer = cluster.kafka({ clientId: 'reader' }).consumer({ groupId: 'readers' });
    await scheduler.await(consumer.connect());
    await scheduler.await(consumer.subscribe({ topic: TOPIC, fromBeginning: true }));
    await scheduler.await(consumer.run({ eachMessage: async ({ message }) => { consumed.push(Number(message.offset)); } }));
    await scheduler.runFor(10_000);
    expect(consumed[0], `seed ${seed}`).toBeLessThanOrEqual(logStart);
    expect(consumed.at(-1), `seed ${seed}`).toBe(99);
    expect(consumed.every((o, i) => i === 0 || o === consumed[i - 1] + 1), `seed ${seed}: no gap`).toBe(true);

    // retention.ms: records older than it go, down to the active segment.
    await scheduler.await(admin.alterConfigs({ resources: [{ type: 2, name: TOPIC, configEntries: [
      { name: 'segment.bytes', value: String(SEGMENT_BYTES) }, { name: 'retention.bytes', value: String(RETENTION_BYTES) }, { name: 'min.insync.replicas', value: '1' }, { name: 'retention.ms', value: '1000' },
    ] }] }));
    await scheduler.runFor(12_000);
    for (const b of [1, 2, 3]) {
      const log = storedLog(cluster, b);
      expect(log.end, `seed ${seed}`).toBe(100);
      expect(log.bytes, `seed ${seed}: only the active segment is left on broker ${b}`).toBeLessThanOrEqual(SEGMENT_BYTES);
    }
    await scheduler.await(consumer.disconnect());
    await scheduler.await(producer.disconnect());
  }, 120_000);
});
