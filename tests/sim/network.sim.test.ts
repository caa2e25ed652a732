import { describe, expect, it } from 'vitest';
import { SimCluster } from '../../src/sim/simCluster';
import type { PartitionRegistration } from '../../src/kafka/metadata/image';

/**
 * SimCluster.isolate / partition / heal: the browser's `cluster.isolate` and friends over the
 * SimNetwork. An isolated broker is fenced once its heartbeats stop reaching the controller
 * (broker.session.timeout.ms), loses leadership to an in-sync follower, and after healing
 * registers again, catches up and rejoins the ISR. Replay with SIM_SEED=<seed>.
 */
const seed = Number(process.env.SIM_SEED ?? 515);

async function setup() {
  const cluster = new SimCluster({ seed, brokers: 3, recordEvents: true });
  await cluster.start();
  await cluster.waitForBrokersRunning();
  const kafka = cluster.kafka({ clientId: 'network-test' });
  const admin = kafka.admin();
  await cluster.scheduler.await(admin.connect());
  await cluster.scheduler.await(admin.createTopics({ topics: [{ topic: 't', numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }] }));
  const partition = (): PartitionRegistration => cluster.controller().image.partition('t', 0)!;
  await cluster.scheduler.runUntilTrue(() => partition().isr.length === 3, 10_000, 'full ISR');
  return { cluster, kafka, partition };
}

describe(`network partitions in the simulation (seed ${seed})`, () => {
  it('an isolated leader is fenced and replaced; healed, it rejoins the ISR; clients on the majority side keep writing', async () => {
    const { cluster, kafka, partition } = await setup();
    const producer = kafka.producer();
    await cluster.scheduler.await(producer.connect());
    await cluster.scheduler.await(producer.send({ topic: 't', acks: -1, messages: [{ value: 'before' }] }));
    const { leader, leaderEpoch } = partition();
    const cut = cluster.isolate(leader);
    expect(cut!.groups.at(-1)).toEqual([leader]);
    await cluster.scheduler.runUntilTrue(() => cluster.controller().image.brokers.get(leader)?.fenced === true, 15_000, 'the isolated broker fenced');
    await cluster.scheduler.runUntilTrue(() => partition().leader !== leader && partition().leader !== -1, 15_000, 'a new leader');
    expect(partition().leaderEpoch).toBeGreaterThan(leaderEpoch);
    expect(partition().isr).not.toContain(leader);
    // The broker is alive the whole time: cut off, not killed.
    expect(cluster.brokers.get(leader)!.server).not.toBeNull();
    await cluster.scheduler.await(producer.send({ topic: 't', acks: -1, messages: [{ value: 'during' }] }));

    // A restart keeps it on its side of the cut.
    cluster.killBroker(leader);
    await cluster.startBroker(leader);
    await cluster.scheduler.runFor(5000);
    expect(cluster.controller().image.brokers.get(leader)?.fenced).toBe(true);

    cluster.heal();
    expect(cluster.networkCut()).toBeNull();
    await cluster.scheduler.runUntilTrue(() => cluster.controller().image.brokers.get(leader)?.fenced === false, 15_000, 'unfenced after healing');
    await cluster.scheduler.runUntilTrue(() => partition().isr.includes(leader), 30_000, 'back in the ISR');
    expect(partition().isr).toHaveLength(3);
  }, 60_000);

  it('a partition cuts every link between its groups and none within; nodes left out join the first group', async () => {
    const { cluster } = await setup();
    const cut = cluster.partition([[1, 1000], [3]]);
    expect(cut).toEqual({ groups: [[1, 2, 1000], [3]], clients: 0 });
    const blocked = (a: string, b: string) => cluster.network.isBlocked(a, b);
    expect(blocked('broker-3', 'broker-1')).toBe(true);
    expect(blocked('controller-1000', 'broker-3')).toBe(true);
    expect(blocked('broker-1', 'broker-2')).toBe(false);
    expect(blocked('client-1', 'broker-3')).toBe(true);
    expect(blocked('client-1', 'broker-2')).toBe(false);
    // A client made after the cut lands on the clients' side too.
    cluster.kafka();
    expect(blocked('client-2', 'broker-3')).toBe(true);
    // Isolating on top keeps the earlier cut.
    cluster.isolate(2);
    expect(blocked('broker-2', 'broker-1')).toBe(true);
    expect(blocked('broker-3', 'broker-1')).toBe(true);
    // A new partition that reconnects 3 with 1 replaces the cut.
    cluster.partition([[1, 3, 1000], [2]]);
    expect(blocked('broker-3', 'broker-1')).toBe(false);
    expect(blocked('broker-2', 'broker-1')).toBe(true);
    cluster.heal();
    expect(blocked('broker-2', 'broker-1')).toBe(false);
  }, 60_000);

  it('a minority leader with the clients on its side takes acks=1 writes and loses them after healing (truncation)', async () => {
    const { cluster, kafka, partition } = await setup();
    const producer = kafka.producer();
    await cluster.scheduler.await(producer.connect());
    await cluster.scheduler.await(producer.send({ topic: 't', acks: -1, messages: [{ value: 'committed' }] }));
    const { leader } = partition();
    cluster.isolate(leader, { clientsWith: leader });
    const acked: number[] = [];
    for (let i = 0; i < 3; i++) {
      const [result] = await cluster.scheduler.await(producer.send({ topic: 't', acks: 1, messages: [{ value: `minority-${i}` }] }));
      acked.push(Number(result.baseOffset));
    }
    // The isolated leader still believes it leads and answers acks=1 from its own log.
    expect(acked).toEqual([1, 2, 3]);
    await cluster.scheduler.runUntilTrue(() => partition().leader !== leader && partition().leader !== -1, 15_000, 'a new leader on the majority side');
    cluster.heal();
    await cluster.scheduler.runUntilTrue(() => partition().isr.includes(leader), 30_000, 'back in the ISR');
    const truncated = cluster.events.filter((e) => e.type === 'log-truncated' && e.node === `broker-${leader}` && e.topic === 't');
    expect(truncated.length).toBeGreaterThan(0);
    expect(truncated.at(-1)).toMatchObject({ to: 1 });
  }, 60_000);
});
