import { describe, expect, it } from 'vitest';
import { SimCluster } from '../../src/sim/simCluster';
import type { NodeEvent } from '../../src/kafka/events';
import type { PartitionRegistration } from '../../src/kafka/metadata/image';
import { decodeRecords, scanBatches } from '../../src/kafka/storage/recordBatch';

/**
 * Replication and failover, scenario by scenario, on a seeded in-process cluster: followers
 * fetch, the ISR shrinks and grows through AlterPartition, a fenced leader is replaced from the
 * ISR, a diverged replica truncates by leader epoch (KIP-101), unclean election loses data
 * visibly, and preferred leader election puts leadership back. Replay with SIM_SEED=<seed>.
 */
const seed = Number(process.env.SIM_SEED ?? 4242);

async function setup(options: { brokers?: number; unclean?: boolean } = {}) {
  const cluster = new SimCluster({ seed, brokers: options.brokers ?? 3, recordEvents: true, racks: ['rack-a', 'rack-b', 'rack-c'] });
  await cluster.start();
  await cluster.waitForBrokersRunning();
  const kafka = cluster.kafka({ clientId: 'failover-test' });
  const admin = kafka.admin();
  await cluster.scheduler.await(admin.connect());
  const configEntries = [{ name: 'min.insync.replicas', value: '2' }];
  if (options.unclean) configEntries.push({ name: 'unclean.leader.election.enable', value: 'true' });
  await cluster.scheduler.await(admin.createTopics({ topics: [{ topic: 't', numPartitions: 1, replicationFactor: 3, configEntries }] }));
  const partition = (): PartitionRegistration => cluster.controller().image.partition('t', 0)!;
  const broker = (id: number) => cluster.brokers.get(id)!.server!;
  return { cluster, kafka, admin, partition, broker };
}

/** Record values in a broker's stored log of t-0, by offset. */
async function storedValues(cluster: SimCluster, brokerId: number): Promise<string[]> {
  const stored = await cluster.brokers.get(brokerId)!.logStore.readPartition('t-0');
  const values: string[] = [];
  for (const batch of stored) {
    for (const { at } of scanBatches(batch.bytes).batches) {
      for (const record of await decodeRecords(batch.bytes, at)) values[record.offset] = new TextDecoder().decode(record.value!);
    }
  }
  return values;
}

const eventsOf = <T extends NodeEvent['type']>(cluster: SimCluster, type: T) => cluster.events.filter((e): e is Extract<NodeEvent, { type: T }> => e.type === type);

describe(`replication and failover (seed ${seed})`, () => {
  it('replicates acks=all writes to every ISR member, and the high watermark follows the slowest', async () => {
    const { cluster, kafka, partition } = await setup();
    expect(partition().isr).toHaveLength(3);
    const producer = kafka.producer();
    await cluster.scheduler.await(producer.connect());
    for (let i = 0; i < 20; i++) await cluster.scheduler.await(producer.send({ topic: 't', acks: -1, messages: [{ key: `k${i % 3}`, value: `v${i}` }] }));
    await cluster.scheduler.runFor(2000);
    for (const id of [1, 2, 3]) expect(await storedValues(cluster, id)).toEqual(Array.from({ length: 20 }, (_, i) => `v${i}`));
    const offsets = eventsOf(cluster, 'partition-offsets').filter((e) => e.topic === 't');
    for (const id of [1, 2, 3]) {
      const last = offsets.filter((e) => e.node === `broker-${id}`).at(-1)!;
      expect(last).toMatchObject({ logEndOffset: 20, highWatermark: 20 });
    }
    const leaderView = offsets.filter((e) => e.role === 'leader').at(-1)!;
    expect(Object.values(leaderView.replicaLogEndOffsets!)).toEqual([20, 20]);
  }, 60_000);

  it('replaces a killed leader from the ISR with a new leader epoch, losing no acknowledged record', async () => {
    const { cluster, kafka, partition } = await setup();
    const producer = kafka.producer();
    await cluster.scheduler.await(producer.connect());
    const acked: string[] = [];
    for (let i = 0; i < 10; i++) {
      await cluster.scheduler.await(producer.send({ topic: 't', acks: -1, messages: [{ value: `before-${i}` }] }));
      acked.push(`before-${i}`);
    }
    const { leader: oldLeader, leaderEpoch } = partition();
    const killedAt = cluster.scheduler.now;
    cluster.killBroker(oldLeader);
    await cluster.scheduler.runUntilTrue(() => partition().leader !== -1 && partition().leader !== oldLeader, 30_000, 'a new leader');
    const electedAfter = cluster.scheduler.now - killedAt;
    // Governed by broker.session.timeout.ms (3000 here), not by anything faster.
    expect(electedAfter).toBeGreaterThanOrEqual(3000);
    expect(electedAfter).toBeLessThan(6000);
    expect(partition().leaderEpoch).toBe(leaderEpoch + 1);
    expect(partition().isr).not.toContain(oldLeader);
    const election = eventsOf(cluster, 'leader-election').find((e) => e.previousLeader === oldLeader && e.topic === 't')!;
    expect(election).toMatchObject({ kind: 'clean', leader: partition().leader, leaderEpoch: leaderEpoch + 1 });
    expect(election.reason).toContain('broker.session.timeout.ms');
    for (let i = 0; i < 10; i++) {
      await cluster.scheduler.await(producer.send({ topic: 't', acks: -1, messages: [{ value: `after-${i}` }] }));
      acked.push(`after-${i}`);
    }
    // __consumer_offsets wants 3 live brokers (offsets.topic.replication.factor): the old leader comes back as a follower.
    await cluster.startBroker(oldLeader);
    const consumer = kafka.consumer({ groupId: 'g' });
    await cluster.scheduler.await(consumer.connect());
    await cluster.scheduler.await(consumer.subscribe({ topic: 't', fromBeginning: true }));
    const read: string[] = [];
    await cluster.scheduler.await(consumer.run({ eachMessage: async ({ message }) => { read.push(message.value!.toString()); } }));
    await cluster.scheduler.runUntilTrue(() => read.length >= acked.length, 30_000, 'consumer reads everything');
    expect(read).toEqual(acked);
    await cluster.scheduler.await(consumer.disconnect());
    await cluster.scheduler.runUntilTrue(() => partition().isr.length === 3, 30_000, 'old leader back in the ISR');
    expect(await storedValues(cluster, oldLeader)).toEqual(acked);
  }, 60_000);

  it('refuses acks=all with NOT_ENOUGH_REPLICAS below min.insync.replicas, and the ISR grows back after restarts', async () => {
    const { cluster, kafka, partition } = await setup();
    const producer = kafka.producer({ retry: { retries: 0 } });
    await cluster.scheduler.await(producer.connect());
    await cluster.scheduler.await(producer.send({ topic: 't', acks: -1, messages: [{ value: 'one' }] }));
    const followers = partition().replicas.filter((id) => id !== partition().leader);
    for (const id of followers) cluster.killBroker(id);
    await cluster.scheduler.runUntilTrue(() => partition().isr.length === 1, 30_000, 'ISR shrinks to the leader');
    await cluster.scheduler.runFor(1000); // the leader applies the shrunk ISR from the metadata log
    await expect(cluster.scheduler.await(producer.send({ topic: 't', acks: -1, messages: [{ value: 'two' }] }))).rejects.toMatchObject({ type: 'NOT_ENOUGH_REPLICAS' });
    expect(eventsOf(cluster, 'request-rejected').some((e) => e.error === 'NOT_ENOUGH_REPLICAS')).toBe(true);
    // acks=1 does not need the ISR.
    await cluster.scheduler.await(producer.send({ topic: 't', acks: 1, messages: [{ value: 'three' }] }));
    for (const id of followers) await cluster.startBroker(id);
    await cluster.scheduler.runUntilTrue(() => partition().isr.length === 3, 30_000, 'ISR back to 3');
    await cluster.scheduler.runFor(100); // the AlterPartition response reaches the leader
    const expansions = eventsOf(cluster, 'isr-change').filter((e) => e.phase === 'committed' && e.to.length > e.from.length);
    expect(expansions.length).toBeGreaterThanOrEqual(2);
    await cluster.scheduler.await(producer.send({ topic: 't', acks: -1, messages: [{ value: 'four' }] }));
    await cluster.scheduler.runFor(1000);
    for (const id of [1, 2, 3]) expect(await storedValues(cluster, id)).toEqual(['one', 'three', 'four']);
  }, 60_000);

  it('truncates a diverged replica to the new leader\'s end of its epoch (KIP-101)', async () => {
    const { cluster, kafka, partition } = await setup();
    const producer = kafka.producer({ retry: { retries: 0 } });
    await cluster.scheduler.await(producer.connect());
    await cluster.scheduler.await(producer.send({ topic: 't', acks: -1, messages: [{ value: 'committed' }] }));
    const oldLeader = partition().leader;
    const followers = partition().replicas.filter((id) => id !== oldLeader);
    // The leader is cut off from its followers (not from the client): acks=1 writes reach it alone.
    for (const id of followers) cluster.network.cut(`broker-${oldLeader}`, `broker-${id}`);
    for (let i = 0; i < 3; i++) await cluster.scheduler.await(producer.send({ topic: 't', acks: 1, messages: [{ value: `lost-${i}` }] }));
    expect((await storedValues(cluster, oldLeader)).length).toBe(4);
    cluster.killBroker(oldLeader);
    cluster.network.heal();
    await cluster.scheduler.runUntilTrue(() => partition().leader !== -1 && partition().leader !== oldLeader, 30_000, 'a new leader');
    // A producer that retries finds the new leader.
    const retrying = kafka.producer();
    await cluster.scheduler.await(retrying.connect());
    await cluster.scheduler.await(retrying.send({ topic: 't', acks: -1, messages: [{ value: 'new-epoch' }] }));
    await cluster.startBroker(oldLeader);
    await cluster.scheduler.runUntilTrue(() => partition().isr.length === 3, 30_000, 'old leader back in the ISR');
    await cluster.scheduler.runFor(1000);
    for (const id of [1, 2, 3]) expect(await storedValues(cluster, id)).toEqual(['committed', 'new-epoch']);
    const truncation = eventsOf(cluster, 'log-truncated').find((e) => e.node === `broker-${oldLeader}`)!;
    expect(truncation).toMatchObject({ from: 4, to: 1 });
    expect(truncation.reason).toContain('OffsetForLeaderEpoch');
  }, 60_000);

  it('with unclean.leader.election.enable an out-of-sync replica leads and acknowledged records are lost, visibly', async () => {
    const { cluster, kafka, partition } = await setup({ unclean: true });
    const producer = kafka.producer({ retry: { retries: 0 } });
    await cluster.scheduler.await(producer.connect());
    await cluster.scheduler.await(producer.send({ topic: 't', acks: -1, messages: [{ value: 'shared' }] }));
    const [first, second, third] = partition().replicas;
    // One follower dies; later the leader is left alone in the ISR and takes acks=1 writes.
    cluster.killBroker(third);
    await cluster.scheduler.runUntilTrue(() => !partition().isr.includes(third), 30_000, 'third out of the ISR');
    const leader = partition().leader;
    const other = leader === first ? second : first;
    cluster.killBroker(other);
    await cluster.scheduler.runUntilTrue(() => partition().isr.length === 1, 30_000, 'ISR = the leader');
    await cluster.scheduler.await(producer.send({ topic: 't', acks: 1, messages: [{ value: 'only-on-leader' }] }));
    cluster.killBroker(leader);
    await cluster.scheduler.runUntilTrue(() => partition().leader === -1, 30_000, 'offline');
    await cluster.startBroker(third);
    await cluster.scheduler.runUntilTrue(() => partition().leader === third, 30_000, 'unclean leader');
    const unclean = eventsOf(cluster, 'leader-election').find((e) => e.kind === 'unclean')!;
    expect(unclean.leader).toBe(third);
    expect(unclean.reason).toContain('unclean.leader.election.enable=true');
    await cluster.startBroker(leader);
    await cluster.scheduler.runUntilTrue(() => partition().isr.includes(leader), 30_000, 'old leader follows');
    await cluster.scheduler.runFor(1000);
    expect(await storedValues(cluster, leader)).toEqual(['shared']);
    expect(eventsOf(cluster, 'log-truncated').some((e) => e.node === `broker-${leader}` && e.from === 2 && e.to === 1)).toBe(true);
  }, 60_000);

  it('without unclean election the partition stays offline until an ISR member returns', async () => {
    const { cluster, partition } = await setup();
    const [first, second, third] = partition().replicas;
    cluster.killBroker(second);
    cluster.killBroker(third);
    await cluster.scheduler.runUntilTrue(() => partition().isr.length === 1, 30_000, 'ISR = leader');
    cluster.killBroker(first);
    await cluster.scheduler.runUntilTrue(() => partition().leader === -1, 30_000, 'offline');
    await cluster.startBroker(second);
    await cluster.scheduler.runFor(10_000);
    expect(partition().leader).toBe(-1);
    expect(eventsOf(cluster, 'leader-election').some((e) => e.kind === 'offline')).toBe(true);
    await cluster.startBroker(first);
    await cluster.scheduler.runUntilTrue(() => partition().leader === first, 30_000, 'clean leader back');
  }, 60_000);

  it('moves leadership back to the preferred replica, automatically and on request', async () => {
    const { cluster, partition } = await setup();
    const preferred = partition().replicas[0];
    cluster.killBroker(preferred);
    await cluster.scheduler.runUntilTrue(() => partition().leader !== -1 && partition().leader !== preferred, 30_000, 'failover');
    await cluster.startBroker(preferred);
    await cluster.scheduler.runUntilTrue(() => partition().isr.includes(preferred), 30_000, 'preferred back in sync');
    // By request, as kafka-leader-election.sh --election-type preferred.
    const response = await cluster.scheduler.await(cluster.brokers.get(preferred)!.server!.rpc.request('broker-1', 'ElectLeaders', { electionType: 0, topicPartitions: [{ topic: 't', partitions: [0] }], timeoutMs: 5000 }, { timeoutMs: 5000 }));
    expect(response.replicaElectionResults[0].partitionResult[0].errorCode).toBe(0);
    await cluster.scheduler.runUntilTrue(() => partition().leader === preferred, 10_000, 'preferred leader');
    expect(eventsOf(cluster, 'leader-election').at(-1)).toMatchObject({ kind: 'preferred', leader: preferred });
  }, 60_000);

  it('points a consumer with client.rack to the in-sync replica in its rack (KIP-392), which serves it up to its high watermark', async () => {
    const { cluster, kafka, partition } = await setup();
    const producer = kafka.producer();
    await cluster.scheduler.await(producer.connect());
    for (let i = 0; i < 5; i++) await cluster.scheduler.await(producer.send({ topic: 't', acks: -1, messages: [{ value: `r${i}` }] }));
    // Broker i sits in rack ['rack-a', 'rack-b', 'rack-c'][i - 1]: pick a follower's rack.
    const follower = partition().replicas.find((id) => id !== partition().leader)!;
    const rack = ['rack-a', 'rack-b', 'rack-c'][follower - 1];
    const consumer = kafka.consumer({ groupId: 'racked', rackId: rack });
    await cluster.scheduler.await(consumer.connect());
    await cluster.scheduler.await(consumer.subscribe({ topic: 't', fromBeginning: true }));
    const read: string[] = [];
    await cluster.scheduler.await(consumer.run({ eachMessage: async ({ message }) => { read.push(message.value!.toString()); } }));
    await cluster.scheduler.runUntilTrue(() => read.length >= 5, 30_000, 'consumer reads');
    expect(read).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    expect(eventsOf(cluster, 'preferred-read-replica').some((e) => e.replica === follower && e.clientRack === rack)).toBe(true);
    const fetchesToFollower = cluster.events.filter((e) => e.type === 'message-sent' && e.api === 'Fetch' && e.kind === 'request' && e.from.startsWith('client-') && e.to === `broker-${follower}`);
    expect(fetchesToFollower.length).toBeGreaterThan(0);
    await cluster.scheduler.await(consumer.disconnect());
  }, 60_000);

  it('drops a live follower that stops catching up after replica.lag.time.max.ms (AlterPartition), answers a waiting acks=all with NOT_ENOUGH_REPLICAS_AFTER_APPEND, and takes it back', async () => {
    const { cluster, kafka, partition } = await setup();
    const producer = kafka.producer({ retry: { retries: 0 } });
    await cluster.scheduler.await(producer.connect());
    await cluster.scheduler.await(producer.send({ topic: 't', acks: -1, messages: [{ value: 'a' }] }));
    const leader = partition().leader;
    const followers = partition().replicas.filter((id) => id !== leader);
    // Both followers stay alive and heartbeat, but cannot reach the leader.
    for (const id of followers) cluster.network.cut(`broker-${leader}`, `broker-${id}`);
    const started = cluster.scheduler.now;
    const waiting = cluster.scheduler.await(producer.send({ topic: 't', acks: -1, timeout: 30_000, messages: [{ value: 'b' }] }), 60_000).catch((error: unknown) => error);
    await expect(waiting).resolves.toMatchObject({ type: 'NOT_ENOUGH_REPLICAS_AFTER_APPEND' });
    // Not before replica.lag.time.max.ms (10 s here), checked every half of it.
    expect(cluster.scheduler.now - started).toBeGreaterThanOrEqual(10_000);
    expect(partition().isr).toEqual([leader]);
    const shrink = eventsOf(cluster, 'isr-change').find((e) => e.phase === 'committed' && e.to.length === 1)!;
    expect(shrink.reason).toContain('replica.lag.time.max.ms');
    cluster.network.heal();
    await cluster.scheduler.runUntilTrue(() => partition().isr.length === 3, 30_000, 'followers rejoin');
    await cluster.scheduler.runFor(1000);
    for (const id of [1, 2, 3]) expect(await storedValues(cluster, id)).toEqual(['a', 'b']);
  }, 60_000);

  it('an idempotent producer whose leader dies with acks=all in flight writes each record once, in order', async () => {
    const { cluster, kafka, partition } = await setup();
    const producer = kafka.producer({ idempotent: true });
    await cluster.scheduler.await(producer.connect());
    await cluster.scheduler.await(producer.send({ topic: 't', acks: -1, messages: [{ key: 'k', value: 'v0' }] }));
    const sends = Array.from({ length: 10 }, (_, i) => producer.send({ topic: 't', acks: -1, messages: [{ key: 'k', value: `v${i + 1}` }] }));
    await cluster.scheduler.runFor(2);
    cluster.killBroker(partition().leader);
    await cluster.scheduler.await(Promise.all(sends), 60_000);
    const leader = partition().leader;
    const values = await storedValues(cluster, leader);
    expect(values).toEqual(Array.from({ length: 11 }, (_, i) => `v${i}`));
  }, 60_000);

  it('follows a leader that moves away and back (A, B, A) without a stray fetcher', async () => {
    const { cluster, kafka, partition } = await setup();
    const producer = kafka.producer();
    await cluster.scheduler.await(producer.connect());
    const [a, b] = partition().replicas;
    const c = partition().replicas[2];
    for (const leader of [b, a]) {
      cluster.killBroker(partition().leader);
      await cluster.scheduler.runUntilTrue(() => partition().leader === leader || (partition().leader !== -1 && partition().leader !== leader), 30_000, 'failover');
      await cluster.scheduler.await(producer.send({ topic: 't', acks: 1, messages: [{ value: `led-by-${partition().leader}` }] }));
      const down = [...cluster.brokers].filter(([, node]) => !node.server).map(([id]) => id);
      for (const id of down) await cluster.startBroker(id);
      await cluster.scheduler.runUntilTrue(() => partition().isr.length === 3, 30_000, 'full ISR');
    }
    await cluster.scheduler.runFor(2000);
    // Every broker fetches t-0 only from the current leader: no fetcher is left behind.
    const since = cluster.scheduler.now;
    await cluster.scheduler.runFor(3000);
    const current = partition().leader;
    const fetches = cluster.events.filter((e) => e.type === 'message-sent' && e.api === 'Fetch' && e.kind === 'request' && e.time >= since && e.from.startsWith('broker-') && e.to.startsWith('broker-'));
    expect(fetches.every((e) => e.type === 'message-sent' && e.to === `broker-${current}`)).toBe(true);
    const logs = await Promise.all([a, b, c].map((id) => storedValues(cluster, id)));
    expect(logs[1]).toEqual(logs[0]);
    expect(logs[2]).toEqual(logs[0]);
  }, 60_000);

  it('gives leadership back to the preferred replica automatically (auto.leader.rebalance.enable)', async () => {
    const { cluster, partition } = await setup();
    const preferred = partition().replicas[0];
    cluster.killBroker(preferred);
    await cluster.scheduler.runUntilTrue(() => partition().leader !== -1 && partition().leader !== preferred, 30_000, 'failover');
    await cluster.startBroker(preferred);
    // leader.imbalance.check.interval.seconds is 30 here.
    await cluster.scheduler.runUntilTrue(() => partition().leader === preferred, 40_000, 'automatic preferred election');
    expect(eventsOf(cluster, 'leader-election').at(-1)!.reason).toContain('auto.leader.rebalance.enable');
  }, 60_000);
});
