/**
 * Configs end to end on a simulated cluster: DescribeConfigs answered by brokers from their
 * metadata image, IncrementalAlterConfigs forwarded to the controller and replayed by every broker
 * as ConfigRecords, and the brokers acting on what they read (min.insync.replicas, LogAppendTime,
 * max.message.bytes).
 */
import { describe, expect, it } from 'vitest';
import { SimCluster, clusterWithTopic } from '../../sim/simCluster';
import { readBatchHeader } from '../storage/recordBatch';
import { ConfigResourceTypes, ConfigSource, type Admin } from './admin';

const TOPIC = 'payments';

async function setup() {
  return clusterWithTopic({ seed: 77, topic: TOPIC, partitions: 1, configEntries: [{ name: 'retention.ms', value: '60000' }], clientId: 'ops' });
}

const topicConfigs = async (cluster: SimCluster, admin: Admin, names?: string[]) => {
  const { resources } = await cluster.scheduler.await(admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: TOPIC, configNames: names }], includeSynonyms: true }));
  return new Map(resources[0].configEntries.map((e) => [e.configName, e]));
};
/** The topic's overrides in each live broker's replayed image. */
const brokerOverrides = (cluster: SimCluster) => [...cluster.brokers.values()].filter((b) => b.server).map((b) => (b.server as unknown as { image: { topics: Map<string, { configs: Record<string, string> }> } }).image.topics.get(TOPIC)?.configs);
const errorOf = async (promise: Promise<unknown>, cluster: SimCluster) => cluster.scheduler.await(promise.then(() => null, (e: unknown) => e as { type?: string; message: string }));

describe('admin configs', () => {
  it('describes a topic: overrides as TOPIC_CONFIG, the rest Kafka\'s defaults, with synonyms', async () => {
    const { cluster, admin } = await setup();
    const configs = await topicConfigs(cluster, admin);
    expect(configs.get('retention.ms')).toMatchObject({ configValue: '60000', configSource: ConfigSource.TOPIC_CONFIG, isDefault: false, readOnly: false });
    expect(configs.get('retention.ms')!.configSynonyms.map((s) => [s.configName, s.configSource])).toEqual([['retention.ms', ConfigSource.TOPIC_CONFIG], ['log.retention.ms', ConfigSource.DEFAULT_CONFIG]]);
    expect(configs.get('min.insync.replicas')).toMatchObject({ configValue: '1', configSource: ConfigSource.DEFAULT_CONFIG, isDefault: true });
    expect([...(await topicConfigs(cluster, admin, ['cleanup.policy'])).keys()]).toEqual(['cleanup.policy']);
    expect(await errorOf(admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: 'nope' }] }), cluster)).toMatchObject({ type: 'UNKNOWN_TOPIC_OR_PARTITION' });
  });

  it('describes each broker at that broker: static, read-only, the playground\'s departures from Kafka\'s defaults', async () => {
    const { cluster, scheduler, admin } = await setup();
    const { resources } = await scheduler.await(admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.BROKER, name: '2' }, { type: ConfigResourceTypes.BROKER, name: '3' }] }));
    const broker2 = new Map(resources[0].configEntries.map((e) => [e.configName, e]));
    expect(resources.map((r) => r.resourceName)).toEqual(['2', '3']);
    expect(broker2.get('node.id')).toMatchObject({ configValue: '2', readOnly: true, configSource: ConfigSource.STATIC_BROKER_CONFIG });
    expect(broker2.get('broker.session.timeout.ms')).toMatchObject({ configValue: '3000', configSource: ConfigSource.STATIC_BROKER_CONFIG });
    expect(broker2.get('replica.fetch.wait.max.ms')).toMatchObject({ configValue: '500', configSource: ConfigSource.DEFAULT_CONFIG, isDefault: true });
    expect(await errorOf(admin.alterConfigs({ resources: [{ type: ConfigResourceTypes.BROKER, name: '2', configEntries: [{ name: 'replica.lag.time.max.ms', value: '1' }] }] }), cluster))
      .toMatchObject({ type: 'INVALID_REQUEST' });
  });

  it('refuses a bad name or value with INVALID_CONFIG and changes nothing; validateOnly changes nothing', async () => {
    const { cluster, scheduler, admin } = await setup();
    await scheduler.runFor(1000);
    const before = cluster.controller().image.offset;
    const badValue = await errorOf(admin.incrementalAlterConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: TOPIC, configEntries: [{ name: 'retention.ms', value: '120000' }, { name: 'min.insync.replicas', value: 'two' }] }] }), cluster);
    expect(badValue).toMatchObject({ type: 'INVALID_CONFIG' });
    expect((badValue as Error).message).toMatch(/Invalid value two for configuration min.insync.replicas: Not a number of type INT/);
    expect(await errorOf(admin.alterConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: TOPIC, configEntries: [{ name: 'min.isr', value: '2' }] }] }), cluster))
      .toMatchObject({ type: 'INVALID_CONFIG', message: expect.stringContaining('Unknown topic config name: min.isr') });
    expect(await errorOf(admin.alterConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: 'nope', configEntries: [{ name: 'retention.ms', value: '1' }] }] }), cluster))
      .toMatchObject({ type: 'UNKNOWN_TOPIC_OR_PARTITION' });
    await scheduler.await(admin.incrementalAlterConfigs({ validateOnly: true, resources: [{ type: ConfigResourceTypes.TOPIC, name: TOPIC, configEntries: [{ name: 'retention.ms', value: '1' }] }] }));
    await scheduler.runFor(1000);
    expect(cluster.controller().image.offset).toBe(before);
    expect(brokerOverrides(cluster)).toEqual([{ 'retention.ms': '60000' }, { 'retention.ms': '60000' }, { 'retention.ms': '60000' }]);
  });

  it('min.insync.replicas=3 on RF=3: acks=all fails with NOT_ENOUGH_REPLICAS while a broker is down; DELETE reverts to the default', async () => {
    const { cluster, scheduler, admin, kafka } = await setup();
    await scheduler.await(admin.incrementalAlterConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: TOPIC, configEntries: [{ name: 'min.insync.replicas', value: '3' }] }] }));
    expect((await topicConfigs(cluster, admin)).get('min.insync.replicas')).toMatchObject({ configValue: '3', configSource: ConfigSource.TOPIC_CONFIG });
    await scheduler.runUntilTrue(() => brokerOverrides(cluster).every((c) => c?.['min.insync.replicas'] === '3'), 10_000, 'brokers replay the ConfigRecord');

    const producer = kafka.producer({ retry: { retries: 0 } });
    await scheduler.await(producer.connect());
    await scheduler.await(producer.send({ topic: TOPIC, acks: -1, messages: [{ value: 'all three in sync' }] }));
    const leader = cluster.controller().image.partition(TOPIC, 0)!.leader;
    const follower = [1, 2, 3].find((id) => id !== leader)!;
    cluster.killBroker(follower);
    await scheduler.runUntilTrue(() => cluster.controller().image.partition(TOPIC, 0)!.isr.length === 2, 60_000, 'the ISR shrinks');
    expect(await errorOf(producer.send({ topic: TOPIC, acks: -1, messages: [{ value: 'only two in sync' }] }), cluster)).toMatchObject({ type: 'NOT_ENOUGH_REPLICAS' });

    // DELETE: back to the default (1), and the same write succeeds.
    await scheduler.await(admin.incrementalAlterConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: TOPIC, configEntries: [{ name: 'min.insync.replicas', operation: 'DELETE' }] }] }));
    expect((await topicConfigs(cluster, admin)).get('min.insync.replicas')).toMatchObject({ configValue: '1', configSource: ConfigSource.DEFAULT_CONFIG, isDefault: true });
    await scheduler.runUntilTrue(() => brokerOverrides(cluster).every((c) => c === undefined || c['min.insync.replicas'] === undefined), 10_000, 'brokers replay the delete');
    await scheduler.await(producer.send({ topic: TOPIC, acks: -1, messages: [{ value: 'two are enough again' }] }));
  });

  it('alterConfigs (KafkaJS, AlterConfigs semantics) sets what it is given and reverts every other override', async () => {
    const { cluster, scheduler, admin } = await setup();
    await scheduler.await(admin.alterConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: TOPIC, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] }));
    const configs = await topicConfigs(cluster, admin);
    expect(configs.get('cleanup.policy')).toMatchObject({ configValue: 'compact', configSource: ConfigSource.TOPIC_CONFIG });
    expect(configs.get('retention.ms')).toMatchObject({ configValue: '604800000', configSource: ConfigSource.DEFAULT_CONFIG });
  });

  it('brokers act on message.timestamp.type=LogAppendTime and max.message.bytes', async () => {
    const { cluster, scheduler, admin, kafka } = await setup();
    await scheduler.await(admin.incrementalAlterConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: TOPIC, configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }, { name: 'max.message.bytes', value: '1000' }] }] }));
    await scheduler.runUntilTrue(() => brokerOverrides(cluster).every((c) => c?.['max.message.bytes'] === '1000'), 10_000, 'brokers replay the configs');
    const producer = kafka.producer({ retry: { retries: 0 } });
    await scheduler.await(producer.connect());
    const [sent] = await scheduler.await(producer.send({ topic: TOPIC, acks: -1, messages: [{ value: 'small', timestamp: '5' }] }));
    expect(Number(sent.logAppendTime)).toBeGreaterThan(5);
    const leader = cluster.controller().image.partition(TOPIC, 0)!.leader;
    const stored = cluster.brokers.get(leader)!.logStore.partitions.get(`${TOPIC}-0`)!;
    expect(readBatchHeader(stored[stored.length - 1].bytes)).toMatchObject({ timestampType: 'LogAppendTime', maxTimestamp: Number(sent.logAppendTime) });
    expect(await errorOf(producer.send({ topic: TOPIC, acks: -1, messages: [{ value: 'x'.repeat(2000) }] }), cluster)).toMatchObject({ type: 'MESSAGE_TOO_LARGE' });
  });
});
