import { expect, it } from 'vitest';
import { SimCluster } from '../../src/sim/simCluster';

/**
 * A restarting broker replays `__cluster_metadata` in several Fetch responses. It must not act
 * on a half-replayed image: here the image after the first chunk holds the *old* incarnation of
 * a re-created topic, and acting on it would delete the new one's acknowledged records.
 */
it('a broker replaying a long metadata log keeps the acknowledged records of a re-created topic', async () => {
  const seed = Number(process.env.SIM_SEED ?? 7);
  const cluster = new SimCluster({ seed, brokers: 1, controllers: 1 });
  const { scheduler } = cluster;
  await cluster.start();
  await cluster.waitForBrokersRunning();
  const admin = cluster.kafka().admin();
  await scheduler.await(admin.createTopics({ topics: [{ topic: 't', numPartitions: 1, replicationFactor: 1 }] }));
  // Metadata well past one 1 MiB Fetch, so the replay comes in chunks.
  for (let i = 0; i < 3; i++) {
    await scheduler.await(admin.createTopics({ topics: [{ topic: `padding-${i}`, numPartitions: 3000, replicationFactor: 1 }], waitForLeaders: false }));
  }
  await scheduler.await(admin.deleteTopics({ topics: ['t'] }));
  await scheduler.runFor(2000);
  await scheduler.await(admin.createTopics({ topics: [{ topic: 't', numPartitions: 1, replicationFactor: 1 }] }));
  const producer = cluster.kafka().producer();
  await scheduler.await(producer.connect());
  await scheduler.await(producer.send({ topic: 't', acks: -1, messages: [{ value: 'acknowledged' }] }));
  const store = cluster.brokers.get(1)!.logStore;
  expect(store.partitions.get('t-0')).toHaveLength(1);

  cluster.killBroker(1);
  await scheduler.runFor(1000);
  await cluster.startBroker(1);
  await cluster.waitForBrokersRunning(120_000);
  await scheduler.runFor(10_000);
  expect(store.partitions.get('t-0') ?? [], `seed ${seed}`).toHaveLength(1);
}, 120_000);
