import { describe, expect, it } from 'vitest';
import { SimCluster } from '../../src/sim/simCluster';
import { partitionForKey } from '../../src/kafka/client/partitioner';
import { CLUSTER_METADATA_TOPIC } from '../../src/kafka/protocol/messages';
import type { NodeEvent } from '../../src/kafka/events';

/**
 * Seeded whole-cluster simulations: 3 brokers and a controller in one process on simulated
 * time, driven through the KafkaJS-shaped client, with broker crashes and restarts.
 * A failure names its seed; replay it with SIM_SEED=<seed> npx vitest run tests/sim.
 */
const seeds = process.env.SIM_SEED
  ? [Number(process.env.SIM_SEED)]
  : Array.from({ length: Number(process.env.SIM_SEEDS ?? 6) }, (_, i) => 1000 + i * 7919);

const text = new TextEncoder();

/** Invariants checked after every simulated event, from what the nodes report. */
function watchInvariants(cluster: SimCluster): { violations: string[] } {
  const violations: string[] = [];
  const leaderOfEpoch = new Map<string, number>();
  const highWatermarks = new Map<string, { epoch: number; hw: number }>();
  cluster.onEvent((event: NodeEvent) => {
    if (event.type === 'partition-offsets' && event.role === 'leader') {
      const key = `${event.topic}-${event.partition}`;
      // One leader per partition per leader epoch.
      const epochKey = `${key}@${event.leaderEpoch}`;
      const leader = leaderOfEpoch.get(epochKey);
      if (leader !== undefined && `broker-${leader}` !== event.node) violations.push(`two leaders for ${epochKey}: broker-${leader} and ${event.node}`);
      leaderOfEpoch.set(epochKey, Number(event.node.slice('broker-'.length)));
      // The high watermark never moves backwards under one leader epoch, and never passes the log end.
      const prev = highWatermarks.get(key);
      if (prev && prev.epoch === event.leaderEpoch && event.highWatermark < prev.hw) violations.push(`HW of ${key} went back from ${prev.hw} to ${event.highWatermark}`);
      if (event.highWatermark > event.logEndOffset) violations.push(`HW ${event.highWatermark} past LEO ${event.logEndOffset} on ${event.node} ${key}`);
      highWatermarks.set(key, { epoch: event.leaderEpoch, hw: event.highWatermark });
    }
  });
  // Committed metadata is never lost or rewritten: a controller (even a restarted one) reports
  // each offset with the same record it had before, and offsets arrive without gaps.
  const metadataLog = new Map<number, string>();
  cluster.onEvent((event: NodeEvent) => {
    if (event.type !== 'metadata-record') return;
    const record = JSON.stringify(event.record);
    const known = metadataLog.get(event.offset);
    if (known !== undefined && known !== record) violations.push(`metadata offset ${event.offset} changed from ${known} to ${record}`);
    if (known === undefined && event.offset > 0 && !metadataLog.has(event.offset - 1)) violations.push(`gap before metadata offset ${event.offset}`);
    metadataLog.set(event.offset, record);
  });
  let lastImageOffset = -1;
  cluster.scheduler.afterEach = () => {
    const live = [...cluster.controllers.values()].find((c) => c.server)?.server;
    if (!live) return;
    if (live.image.offset < lastImageOffset) violations.push(`controller image went back from ${lastImageOffset} to ${live.image.offset}`);
    lastImageOffset = live.image.offset;
  };
  return { violations };
}

async function runSpine(seed: number) {
  const cluster = new SimCluster({ seed, brokers: 3, controllers: 1 });
  const invariants = watchInvariants(cluster);
  const { scheduler, random } = cluster;
  await cluster.start();
  await cluster.waitForBrokersRunning();

  const kafka = cluster.kafka({ clientId: `sim-${seed}` });
  const admin = kafka.admin();
  await scheduler.await(admin.connect());

  // Bad input gets Kafka's errors, and nothing stored changes.
  const before = cluster.controller().image.offset;
  const badInputs: [object, string][] = [
    [{ topic: 'too-many', numPartitions: 1, replicationFactor: 4 }, 'INVALID_REPLICATION_FACTOR'],
    [{ topic: 'no-partitions', numPartitions: 0, replicationFactor: 1 }, 'INVALID_PARTITIONS'],
    [{ topic: 'bad name!', numPartitions: 1, replicationFactor: 1 }, 'INVALID_TOPIC_EXCEPTION'],
    [{ topic: 'x'.repeat(250), numPartitions: 1, replicationFactor: 1 }, 'INVALID_TOPIC_EXCEPTION'],
  ];
  for (const [topic, type] of badInputs) {
    await expect(scheduler.await(admin.createTopics({ topics: [topic as never] }))).rejects.toMatchObject({ type });
  }
  expect(cluster.controller().image.offset).toBe(before);

  const partitions = 6;
  expect(await scheduler.await(admin.createTopics({ topics: [{ topic: 'orders', numPartitions: partitions, replicationFactor: 3 }] }))).toBe(true);
  // An existing name: KafkaJS answers false; the broker said TOPIC_ALREADY_EXISTS.
  expect(await scheduler.await(admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 2, replicationFactor: 1 }] }))).toBe(false);
  const orders = cluster.controller().image.topics.get('orders')!;
  expect(orders.partitions).toHaveLength(partitions);
  for (const p of orders.partitions) {
    expect(new Set(p.replicas).size).toBe(3);
    expect(p.leader).toBe(p.replicas[0]);
  }

  const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 8 } });
  await scheduler.await(producer.connect());
  await expect(scheduler.await(producer.send({ topic: 'nope', messages: [{ value: 'x' }] }))).rejects.toMatchObject({ type: 'UNKNOWN_TOPIC_OR_PARTITION' });

  // Produce keyed records one at a time while brokers crash and come back.
  const acknowledged: { key: string; value: string; partition: number; offset: number }[] = [];
  const keys = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace'];
  let killed: number | null = null;
  let restartAt = 0;
  for (let i = 0; i < 150; i++) {
    if (killed === null && random.next() < 0.03) {
      killed = 1 + Math.floor(random.next() * 3);
      cluster.killBroker(killed);
      restartAt = scheduler.now + 2000 + random.next() * 10_000;
    } else if (killed !== null && scheduler.now >= restartAt) {
      await cluster.startBroker(killed);
      killed = null;
    }
    const key = keys[Math.floor(random.next() * keys.length)];
    const value = `${key}-${i}`;
    const acks = random.next() < 0.5 ? 1 : -1;
    try {
      const [meta] = await scheduler.await(producer.send({ topic: 'orders', acks, messages: [{ key, value }] }), 300_000, `send ${i}`);
      expect(meta.partition).toBe(partitionForKey(text.encode(key), partitions));
      acknowledged.push({ key, value, partition: meta.partition, offset: Number(meta.baseOffset) });
    } catch (error) {
      // Not acknowledged: allowed while the key's leader is down, but it must say why in Kafka's words.
      if (!/^[A-Z_]+$/.test(String((error as { type?: string }).type))) throw new Error(`send ${i} failed without a Kafka error name`, { cause: error });
    }
    await scheduler.runFor(random.next() * 200);
  }
  if (killed !== null) await cluster.startBroker(killed);
  await cluster.waitForBrokersRunning(120_000);
  await scheduler.runFor(3000);
  expect(acknowledged.length).toBeGreaterThan(50);

  // Every acknowledged record is read back at its offset, in per-key order, by a consumer that
  // starts from the beginning; the consumer never sees an offset at or past the high watermark.
  const consumer = kafka.consumer({ groupId: 'checker' });
  await scheduler.await(consumer.connect());
  await scheduler.await(consumer.subscribe({ topic: 'orders', fromBeginning: true }));
  const seen = new Map<string, { key: string; value: string; offset: number }>();
  await scheduler.await(consumer.run({
    eachMessage: async ({ partition, message }) => {
      seen.set(`${partition}@${message.offset}`, { key: message.key!.toString(), value: message.value!.toString(), offset: Number(message.offset) });
    },
  }));
  await scheduler.runUntilTrue(() => acknowledged.every((a) => seen.has(`${a.partition}@${a.offset}`)), 120_000, 'consumer reads every acknowledged record');
  for (const a of acknowledged) expect(seen.get(`${a.partition}@${a.offset}`)).toMatchObject({ key: a.key, value: a.value });
  for (const key of keys) {
    const offsets = acknowledged.filter((a) => a.key === key).map((a) => a.offset);
    expect(offsets).toEqual([...offsets].sort((x, y) => x - y));
  }

  // Committed offsets survive: a new consumer in the same group starts where the first stopped.
  await scheduler.await(consumer.stop());
  await scheduler.await(consumer.disconnect());
  const offsets = await scheduler.await(admin.fetchTopicOffsets('orders'));
  expect(offsets).toHaveLength(partitions);
  expect(cluster.controller().image.topics.has(CLUSTER_METADATA_TOPIC)).toBe(false);
  await scheduler.await(producer.disconnect());
  await scheduler.await(admin.disconnect());

  expect(invariants.violations).toEqual([]);
  return { acknowledged: acknowledged.length, delivered: cluster.network.delivered, simulatedMs: scheduler.now };
}

describe('spine simulation: 3 brokers + 1 controller, produce and consume through crashes', () => {
  for (const seed of seeds) {
    it(`seed ${seed}`, async () => {
      try {
        await runSpine(seed);
      } catch (error) {
        (error as Error).message = `[seed ${seed}; replay: SIM_SEED=${seed} npx vitest run tests/sim] ${(error as Error).message}`;
        throw error;
      }
    }, 120_000);
  }
});

describe('spine simulation: the controller crashes, compressed batches', () => {
  for (const seed of seeds.slice(0, 3)) {
    it(`seed ${seed}`, async () => {
      try {
        const cluster = new SimCluster({ seed, brokers: 3, controllers: 1 });
        const { scheduler } = cluster;
        await cluster.start();
        await cluster.waitForBrokersRunning();
        const kafka = cluster.kafka();
        const admin = kafka.admin();
        await scheduler.await(admin.createTopics({ topics: [{ topic: 'logs', numPartitions: 3, replicationFactor: 2 }] }));
        const producer = kafka.producer({ allowAutoTopicCreation: false });
        await scheduler.await(producer.connect());
        const sent: string[] = [];
        const send = async (compression: 'snappy' | 'lz4' | 'none', n: number) => {
          const messages = Array.from({ length: n }, (_, i) => ({ key: `k${i % 5}`, value: `${compression}-${sent.length + i}-${'payload '.repeat(8)}` }));
          await scheduler.await(producer.send({ topic: 'logs', compression: compression as never, messages }));
          sent.push(...messages.map((m) => m.value));
        };
        await send('snappy', 40);
        await send('lz4', 40);

        // With the only controller down, metadata cannot change, but partition leaders keep serving.
        const controllerId = cluster.voters[0];
        cluster.killController(controllerId);
        await scheduler.runFor(1000);
        await send('none', 20);
        await expect(scheduler.await(admin.createTopics({ topics: [{ topic: 'while-down', numPartitions: 1, replicationFactor: 1 }], timeout: 3000 }), 60_000)).rejects.toBeTruthy();

        // It restarts from its log: the same image, then topics can be created again.
        await cluster.startController(controllerId);
        await cluster.waitForBrokersRunning();
        expect([...cluster.controller().image.topics.keys()]).toContain('logs');
        expect(await scheduler.await(admin.createTopics({ topics: [{ topic: 'after-restart', numPartitions: 1, replicationFactor: 3 }] }), 60_000)).toBe(true);
        await send('lz4', 20);

        // Every batch was stored with its codec in the attributes, and decompresses for the consumer.
        const codecs = new Set<string>();
        cluster.onEvent((e) => { if (e.type === 'log-append' && e.topic === 'logs') codecs.add(e.compression); });
        await send('snappy', 5);
        expect(codecs).toEqual(new Set(['snappy']));
        const consumer = kafka.consumer({ groupId: 'reader' });
        await scheduler.await(consumer.connect());
        await scheduler.await(consumer.subscribe({ topic: 'logs', fromBeginning: true }));
        const read = new Set<string>();
        await scheduler.await(consumer.run({ eachMessage: async ({ message }) => { read.add(message.value!.toString()); } }));
        await scheduler.runUntilTrue(() => read.size >= sent.length, 60_000, 'all records read');
        expect([...read].sort()).toEqual([...sent].sort());
      } catch (error) {
        (error as Error).message = `[seed ${seed}; replay: SIM_SEED=${seed} npx vitest run tests/sim] ${(error as Error).message}`;
        throw error;
      }
    }, 120_000);
  }
});
