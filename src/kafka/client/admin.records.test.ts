/**
 * admin.deleteTopicRecords (DeleteRecords, kafka-delete-records.sh) against a simulated cluster:
 * the log start offset moves on the leader and its followers, consumers start there, it survives
 * every broker restarting, and bad requests fail with Kafka's error names and change nothing.
 */
import { describe, expect, it } from 'vitest';
import { clusterWithTopic } from '../../sim/simCluster';
import { KafkaJSDeleteTopicRecordsError } from './index';

const TOPIC = 'orders';

describe('admin.deleteTopicRecords', () => {
  it('moves the log start offset on every replica, durably; consumers start there; bad offsets change nothing', async () => {
    const { cluster, scheduler, kafka, admin } = await clusterWithTopic({ seed: 31, topic: TOPIC, partitions: 2, clientId: 'ops' });
    // One follower of partition 0 is down while the records are written and deleted.
    const image = () => cluster.controller().image.topics.get(TOPIC)!.partitions[0]!;
    const away = image().replicas.find((b) => b !== image().leader)!;
    cluster.killBroker(away);
    await scheduler.runFor(5000);
    const producer = kafka.producer();
    await scheduler.await(producer.connect());
    // One send: one batch per partition, so offset 7 lies inside a batch.
    await scheduler.await(producer.send({ topic: TOPIC, acks: -1, messages: [0, 1].flatMap((p) => Array.from({ length: 10 }, (_, i) => ({ partition: p, value: `${p}-${i}` }))) }));
    const low = async () => (await scheduler.await(admin.fetchTopicOffsets(TOPIC))).map((p) => Number(p.low));

    await scheduler.await(admin.deleteTopicRecords({ topic: TOPIC, partitions: [{ partition: 0, offset: '7' }] }));
    expect(await low()).toEqual([7, 0]);

    // Past the high watermark: OFFSET_OUT_OF_RANGE for that partition, and nothing moves.
    const error = await scheduler.await(admin.deleteTopicRecords({ topic: TOPIC, partitions: [{ partition: 1, offset: '11' }] }).catch((e: unknown) => e));
    expect(error).toBeInstanceOf(KafkaJSDeleteTopicRecordsError);
    expect((error as KafkaJSDeleteTopicRecordsError).partitions).toMatchObject([{ partition: 1, offset: '11', error: { type: 'OFFSET_OUT_OF_RANGE' } }]);
    await expect(scheduler.await(admin.deleteTopicRecords({ topic: TOPIC, partitions: [] }))).rejects.toThrow('Invalid partitions');
    await expect(scheduler.await(admin.deleteTopicRecords({ topic: TOPIC, partitions: [{ partition: 5, offset: '1' }] }))).rejects.toThrow(KafkaJSDeleteTopicRecordsError);
    // Below the log start: no effect.
    await scheduler.await(admin.deleteTopicRecords({ topic: TOPIC, partitions: [{ partition: 0, offset: '3' }] }));
    expect(await low()).toEqual([7, 0]);

    // The follower that was down fetches below the leader's log start: it starts over at 7, inside the batch, and rejoins the ISR.
    await cluster.startBroker(away);
    await scheduler.runFor(10_000);
    expect(image().isr).toContain(away);

    // Followers follow on their next fetch; every broker restarting keeps it (the log start checkpoint).
    await scheduler.runFor(3000);
    for (const id of [1, 2, 3]) cluster.killBroker(id);
    for (const id of [1, 2, 3]) await cluster.startBroker(id);
    await cluster.waitForBrokersRunning();
    await scheduler.runFor(5000);
    expect(await low()).toEqual([7, 0]);

    // A consumer from the beginning starts at 7 on partition 0.
    const seen: string[] = [];
    const consumer = cluster.kafka({ clientId: 'reader' }).consumer({ groupId: 'readers' });
    await scheduler.await(consumer.connect());
    await scheduler.await(consumer.subscribe({ topic: TOPIC, fromBeginning: true }));
    await scheduler.await(consumer.run({ eachMessage: async ({ partition, message }) => { seen.push(`${partition}@${message.offset}`); } }));
    await scheduler.runUntilTrue(() => seen.length >= 13, 60_000, 'consumed what is left');
    expect(seen.filter((s) => s.startsWith('0@'))).toEqual(['0@7', '0@8', '0@9']);
    expect(seen.filter((s) => s.startsWith('1@'))).toHaveLength(10);
    await scheduler.await(consumer.disconnect());

    // -1: everything below the high watermark.
    await scheduler.await(admin.deleteTopicRecords({ topic: TOPIC, partitions: [{ partition: 1, offset: '-1' }] }));
    expect(await low()).toEqual([7, 10]);

    // A compacted topic refuses: POLICY_VIOLATION.
    await scheduler.await(admin.createTopics({ topics: [{ topic: 'profiles', numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] }));
    await scheduler.await(producer.send({ topic: 'profiles', acks: -1, messages: [{ key: 'a', value: '1' }, { key: 'a', value: '2' }] }));
    const refused = await scheduler.await(admin.deleteTopicRecords({ topic: 'profiles', partitions: [{ partition: 0, offset: '1' }] }).catch((e: unknown) => e));
    expect((refused as KafkaJSDeleteTopicRecordsError).partitions[0].error).toMatchObject({ type: 'POLICY_VIOLATION' });
    await scheduler.await(producer.disconnect());
  }, 120_000);
});
