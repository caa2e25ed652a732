/**
 * admin.createPartitions (CreatePartitions, kafka-topics.sh --alter --partitions) against a
 * simulated cluster: the controller adds partitions with the topic's replication factor, bad
 * requests fail with Kafka's error names and change nothing, and after metadataMaxAge a
 * producer writes to the new partitions and the consumer group rebalances to own them.
 */
import { describe, expect, it } from 'vitest';
import { clusterWithTopic } from '../../sim/simCluster';
import { CONSUMER_OFFSETS_TOPIC } from '../protocol/messages';
import type { Consumer } from './index';

const TOPIC = 'events';
const MAX_AGE = 5000;

describe('admin.createPartitions', () => {
  it('adds partitions; producers and the group pick them up at their next metadata refresh; bad requests change nothing', async () => {
    const { cluster, scheduler, kafka, admin } = await clusterWithTopic({ seed: 41, topic: TOPIC, partitions: 2, clientId: 'ops' });
    const partitionCount = () => cluster.controller().image.topics.get(TOPIC)!.partitions.length;
    const refused = async (topicPartitions: { topic: string; count: number; assignments?: number[][] }[], validateOnly = false) =>
      scheduler.await(admin.createPartitions({ topicPartitions, validateOnly }).then(() => null, (e: unknown) => e as { type: string; message: string }));

    expect(await refused([{ topic: TOPIC, count: 1 }])).toMatchObject({ type: 'INVALID_PARTITIONS', message: expect.stringContaining('would not be an increase') });
    expect(await refused([{ topic: TOPIC, count: 2 }])).toMatchObject({ type: 'INVALID_PARTITIONS', message: expect.stringContaining('already has 2') });
    expect(await refused([{ topic: 'nope', count: 3 }])).toMatchObject({ type: 'UNKNOWN_TOPIC_OR_PARTITION' });
    expect(await refused([{ topic: TOPIC, count: 4, assignments: [[1, 2, 3]] }])).toMatchObject({ type: 'INVALID_REPLICA_ASSIGNMENT' });
    expect(await refused([{ topic: TOPIC, count: 3, assignments: [[1, 2]] }])).toMatchObject({ type: 'INVALID_REPLICA_ASSIGNMENT' });
    expect(await refused([{ topic: TOPIC, count: 4 }], true)).toBeNull();
    expect(partitionCount()).toBe(2);

    // A group of two, and a producer of keyed records, both refreshing metadata every 5 s.
    const consumed = new Map<number, number>();
    const consumers: Consumer[] = [];
    for (const name of ['a', 'b']) {
      const consumer = cluster.kafka({ clientId: `app-${name}` }).consumer({ groupId: 'readers', metadataMaxAge: MAX_AGE, sessionTimeout: 6000, heartbeatInterval: 1000 });
      consumers.push(consumer);
      await scheduler.await(consumer.connect());
      await scheduler.await(consumer.subscribe({ topic: TOPIC, fromBeginning: true }));
      await scheduler.await(consumer.run({ eachMessage: async ({ partition }) => { consumed.set(partition, (consumed.get(partition) ?? 0) + 1); } }));
    }
    const producer = kafka.producer({ metadataMaxAge: MAX_AGE });
    await scheduler.await(producer.connect());
    const send = async (from: number) => {
      for (let i = from; i < from + 20; i++) await scheduler.await(producer.send({ topic: TOPIC, acks: -1, messages: [{ key: `user-${i}`, value: `v${i}` }] }));
    };
    await send(0);
    await scheduler.runFor(8000);
    // Groups are mapped to the offsets topic's partitions: it cannot grow.
    expect(await refused([{ topic: CONSUMER_OFFSETS_TOPIC, count: 9 }])).toMatchObject({ type: 'INVALID_REQUEST' });

    expect(await scheduler.await(admin.createPartitions({ topicPartitions: [{ topic: TOPIC, count: 4 }] }))).toBe(true);
    expect(partitionCount()).toBe(4);
    const added = cluster.controller().image.topics.get(TOPIC)!.partitions.slice(2);
    for (const p of added) {
      expect(p!.replicas).toHaveLength(3);
      expect(p!.leader).toBeGreaterThan(0);
    }

    await scheduler.runFor(MAX_AGE + 1000);
    await send(20);
    await scheduler.runFor(15_000);
    // The producer's default partitioner spread keys over 4 partitions; the group owns all 4 and read them.
    const [group] = (await scheduler.await(admin.describeGroups(['readers']))).groups;
    expect(group.state).toBe('Stable');
    expect(consumed.get(2) ?? 0).toBeGreaterThan(0);
    expect(consumed.get(3) ?? 0).toBeGreaterThan(0);
    expect([...consumed.values()].reduce((a, b) => a + b, 0)).toBe(40);
    for (const consumer of consumers) await scheduler.await(consumer.disconnect());
    await scheduler.await(producer.disconnect());
  }, 120_000);
});
