import { describe, expect, it } from 'vitest';
import { SimCluster } from '../../src/sim/simCluster';
import { watchQuorum } from '../../src/sim/invariants';
import { controllerAddress } from '../../src/kafka/config';
import { MemoryLogStore, MemoryMetaStore } from '../../src/sim/memoryStores';

/**
 * The KRaft controller quorum (KIP-595) on three controllers, seeded: elections, failover of
 * the active controller, loss of the majority, isolation with pre-vote (KIP-996) and
 * check-quorum. Invariants are checked on every event. Replay with SIM_SEED=<seed>.
 */
const seeds = process.env.SIM_SEED ? [Number(process.env.SIM_SEED)] : Array.from({ length: Number(process.env.SIM_SEEDS ?? 4) }, (_, i) => 3000 + i * 7919);

const activeId = (cluster: SimCluster): number | null => {
  for (const [id, node] of cluster.controllers) if (node.server?.isActive) return id;
  return null;
};

async function setup(seed: number) {
  const cluster = new SimCluster({ seed, brokers: 3, controllers: 3 });
  const watcher = watchQuorum(cluster);
  await cluster.start();
  await cluster.scheduler.runUntilTrue(() => activeId(cluster) !== null, 30_000, 'a first active controller');
  await cluster.waitForBrokersRunning();
  const kafka = cluster.kafka({ clientId: `quorum-${seed}` });
  const admin = kafka.admin();
  await cluster.scheduler.await(admin.connect());
  return { cluster, watcher, kafka, admin };
}

/** Every live controller reaches the same committed offset, and its image there is the same. */
async function expectImagesAgree(cluster: SimCluster): Promise<void> {
  const images = () => [...cluster.controllers.values()].filter((c) => c.server).map((c) => c.server!.image);
  await cluster.scheduler.runUntilTrue(() => new Set(images().map((image) => image.offset)).size === 1, 10_000, 'controllers at one committed offset');
  const summary = (image: ReturnType<typeof images>[number]) => JSON.stringify({ brokers: [...image.brokers.values()], topics: [...image.topics.values()] });
  for (const image of images()) expect(summary(image)).toBe(summary(images()[0]));
}

describe.each(seeds)('controller quorum of three (seed %i)', (seed) => {
  it('elects one leader; after the active controller dies another takes over within a few election timeouts, and metadata keeps changing', async () => {
    const { cluster, watcher, admin } = await setup(seed);
    const first = activeId(cluster)!;
    await cluster.scheduler.await(admin.createTopics({ topics: [{ topic: 'before', numPartitions: 3, replicationFactor: 3 }] }));
    const killedAt = cluster.scheduler.now;
    cluster.killController(first);
    await cluster.scheduler.runUntilTrue(() => activeId(cluster) !== null, 15_000, 'a new active controller');
    // fetch timeout (2 s) + election timeout with jitter (1-2 s) + a round trip, at most.
    expect(cluster.scheduler.now - killedAt).toBeLessThan(6000);
    expect(activeId(cluster)).not.toBe(first);
    await cluster.scheduler.await(admin.createTopics({ topics: [{ topic: 'after', numPartitions: 1, replicationFactor: 3 }] }));
    // Broker failover still works under the new active controller.
    const leader = cluster.controller().image.partition('after', 0)!.leader;
    cluster.killBroker(leader);
    await cluster.scheduler.runUntilTrue(() => { const p = cluster.controller().image.partition('after', 0)!; return p.leader !== leader && p.leader >= 0; }, 15_000, 'partition failover');
    // The old controller comes back as a follower and catches up.
    await cluster.startController(first);
    await cluster.startBroker(leader);
    await expectImagesAgree(cluster);
    expect(cluster.controllers.get(first)!.server!.image.topics.has('after')).toBe(true);
    expect(watcher.violations).toEqual([]);
  }, 60_000);

  it('with two of three controllers down metadata cannot change, while partition leaders keep serving', async () => {
    const { cluster, watcher, admin, kafka } = await setup(seed);
    await cluster.scheduler.await(admin.createTopics({ topics: [{ topic: 'steady', numPartitions: 1, replicationFactor: 3 }] }));
    const producer = kafka.producer({ retry: { retries: 1 } });
    await cluster.scheduler.await(producer.connect());
    await cluster.scheduler.await(producer.send({ topic: 'steady', acks: -1, messages: [{ value: 'one' }] }));
    const ids = [...cluster.controllers.keys()];
    const survivor = ids.find((id) => id !== activeId(cluster))!;
    for (const id of ids) if (id !== survivor) cluster.killController(id);
    await cluster.scheduler.runFor(5000);
    expect(activeId(cluster)).toBeNull();
    await expect(cluster.scheduler.await(admin.createTopics({ topics: [{ topic: 'blocked', numPartitions: 1, replicationFactor: 1 }], timeout: 3000 }), 60_000)).rejects.toBeDefined();
    // Produce and fetch need no controller.
    await cluster.scheduler.await(producer.send({ topic: 'steady', acks: -1, messages: [{ value: 'two' }] }));
    for (const id of ids) if (id !== survivor) await cluster.startController(id);
    await cluster.scheduler.runUntilTrue(() => activeId(cluster) !== null, 15_000, 'quorum back');
    await cluster.scheduler.await(admin.createTopics({ topics: [{ topic: 'unblocked', numPartitions: 1, replicationFactor: 1 }] }));
    expect(watcher.violations).toEqual([]);
  }, 60_000);

  it('an isolated active controller resigns (check-quorum), and on return its pre-votes do not disturb the new leader (KIP-996)', async () => {
    const { cluster, watcher, admin } = await setup(seed);
    const isolated = activeId(cluster)!;
    cluster.network.isolate(controllerAddress(isolated));
    await cluster.scheduler.runUntilTrue(() => { const a = activeId(cluster); return a !== null && a !== isolated; }, 15_000, 'a leader on the majority side');
    await cluster.scheduler.runUntilTrue(() => watcher.quorum.some((e) => e.node === controllerAddress(isolated) && e.state === 'Resigned'), 15_000, 'the isolated leader resigns');
    const leader = activeId(cluster)!;
    const epoch = watcher.quorum.filter((e) => e.state === 'Leader').at(-1)!.epoch;
    // Isolated, it keeps asking for pre-votes; its epoch does not climb.
    await cluster.scheduler.runFor(10_000);
    cluster.network.heal();
    await cluster.scheduler.runFor(5000);
    expect(activeId(cluster)).toBe(leader);
    expect(watcher.quorum.filter((e) => e.state === 'Leader').at(-1)!.epoch).toBe(epoch);
    await cluster.scheduler.await(admin.createTopics({ topics: [{ topic: 'healed', numPartitions: 1, replicationFactor: 3 }] }));
    await expectImagesAgree(cluster);
    expect(watcher.violations).toEqual([]);
  }, 60_000);

  it('a follower controller back from isolation follows the leader again and catches up (the leader re-sends BeginQuorumEpoch)', async () => {
    const { cluster, watcher, admin } = await setup(seed);
    const leader = activeId(cluster)!;
    const follower = [...cluster.controllers.keys()].find((id) => id !== leader)!;
    cluster.network.isolate(controllerAddress(follower));
    await cluster.scheduler.runFor(6000);
    await cluster.scheduler.await(admin.createTopics({ topics: [{ topic: 'while-away', numPartitions: 1, replicationFactor: 3 }] }));
    cluster.network.heal();
    await cluster.scheduler.runUntilTrue(() => watcher.quorum.filter((e) => e.node === controllerAddress(follower)).at(-1)?.state === 'Follower', 10_000, 'the follower follows again');
    expect(activeId(cluster)).toBe(leader);
    await expectImagesAgree(cluster);
    expect(cluster.controllers.get(follower)!.server!.image.topics.has('while-away')).toBe(true);
    expect(watcher.violations).toEqual([]);
  }, 60_000);

  it('the leader killed and restarted at once: the others elect one leader per epoch (KIP-595 Vote, KIP-996 pre-vote)', async () => {
    const { cluster, watcher, admin } = await setup(seed);
    const leader = activeId(cluster)!;
    cluster.killController(leader);
    await cluster.scheduler.runFor(200);
    await cluster.startController(leader);
    await cluster.scheduler.runUntilTrue(() => activeId(cluster) !== null, 15_000, 'an active controller');
    await cluster.scheduler.await(admin.createTopics({ topics: [{ topic: 'after-bounce', numPartitions: 1, replicationFactor: 3 }] }));
    await expectImagesAgree(cluster);
    expect(watcher.violations).toEqual([]);
  }, 60_000);

  it('a restarted voter never votes twice in one epoch: the vote is durable before the answer', async () => {
    const { cluster } = await setup(seed);
    const voter = [...cluster.controllers.keys()].find((id) => id !== activeId(cluster))!;
    const saved = await cluster.controllers.get(voter)!.metaStore.get<{ leaderEpoch: number; votedId: number | null; leaderId: number | null }>('quorum-state');
    expect(saved).toBeDefined();
    cluster.killController(voter);
    await cluster.startController(voter);
    const server = cluster.controllers.get(voter)!.server!;
    const response = await cluster.scheduler.await(server.rpc.request(controllerAddress(voter), 'Vote', {
      clusterId: cluster.clusterId, candidateEpoch: saved!.leaderEpoch, candidateId: [...cluster.controllers.keys()].find((id) => id !== voter && id !== saved!.votedId && id !== saved!.leaderId) ?? voter,
      lastOffsetEpoch: 1_000_000, lastOffset: 1_000_000, preVote: false,
    }, { timeoutMs: 2000 }));
    expect(response.voteGranted).toBe(false);
  }, 60_000);
});

describe('metadata snapshots (KIP-630)', () => {
  it('controllers snapshot their image and drop the log it covers; a controller and a broker with empty disks catch up from the snapshot', async () => {
    const seed = seeds[0];
    const cluster = new SimCluster({ seed, brokers: 3, controllers: 3, recordEvents: true, controllerConfig: { 'metadata.log.max.record.bytes.between.snapshots': 2000 } });
    await cluster.start();
    await cluster.scheduler.runUntilTrue(() => activeId(cluster) !== null, 30_000, 'an active controller');
    await cluster.waitForBrokersRunning();
    const admin = cluster.kafka({ clientId: 'snapshots' }).admin();
    await cluster.scheduler.await(admin.connect());
    for (let i = 0; i < 12; i++) await cluster.scheduler.await(admin.createTopics({ topics: [{ topic: `t${i}`, numPartitions: 2, replicationFactor: 3 }] }));
    const snapshots = cluster.events.filter((e) => e.type === 'log' && e.message.startsWith('wrote a metadata snapshot'));
    expect(snapshots.length).toBeGreaterThan(0);
    // The log before the snapshot is gone from the active controller's disk.
    const active = activeId(cluster)!;
    const stored = await cluster.controllers.get(active)!.logStore.readPartition('__cluster_metadata-0');
    expect(stored[0].baseOffset).toBeGreaterThan(0);

    // A follower controller loses its disk: it must install the leader's snapshot.
    const wiped = [...cluster.controllers.keys()].find((id) => id !== active)!;
    cluster.killController(wiped);
    cluster.controllers.get(wiped)!.logStore = new MemoryLogStore();
    cluster.controllers.get(wiped)!.metaStore = new MemoryMetaStore();
    await cluster.startController(wiped);
    // A broker loses its disk too: its metadata starts from the snapshot.
    const oldEpoch = cluster.controller().image.brokers.get(3)!.epoch;
    cluster.killBroker(3);
    cluster.brokers.get(3)!.logStore = new MemoryLogStore();
    cluster.brokers.get(3)!.metaStore = new MemoryMetaStore();
    await cluster.startBroker(3);
    await cluster.scheduler.await(admin.createTopics({ topics: [{ topic: 'after-snapshot', numPartitions: 1, replicationFactor: 3 }] }));
    await expectImagesAgree(cluster);
    expect(cluster.controllers.get(wiped)!.server!.image.topics.has('t0')).toBe(true);
    await cluster.scheduler.runUntilTrue(() => { const b = cluster.controller().image.brokers.get(3)!; return b.epoch > oldEpoch && !b.fenced; }, 30_000, 'broker 3 registered again and unfenced');
    await cluster.scheduler.runUntilTrue(() => cluster.controller().image.partition('t0', 0)!.isr.includes(3), 30_000, 'broker 3 back in the ISR of t0-0');
    const snapshotFetches = cluster.events.filter((e) => e.type === 'message-sent' && e.api === 'FetchSnapshot' && e.kind === 'request').map((e) => e.type === 'message-sent' && e.from);
    expect(snapshotFetches).toEqual(expect.arrayContaining([controllerAddress(wiped), 'broker-3']));
  }, 60_000);
});

