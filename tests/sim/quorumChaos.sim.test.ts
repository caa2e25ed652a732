import { describe, expect, it } from 'vitest';
import { SimCluster } from '../../src/sim/simCluster';
import type { NodeEvent } from '../../src/kafka/events';
import { watchQuorum } from '../../src/sim/invariants';

/**
 * Seeded chaos for the KRaft quorum: controllers and brokers are killed, restarted, isolated
 * and partitioned at random while an admin keeps changing metadata. Checked on every event:
 *  - KIP-595 "Leader Election": at most one leader per epoch;
 *  - KIP-595 "Log Replication"/high watermark: a committed offset never changes record, and
 *    offsets are committed in order with no gap;
 *  - after healing, a live majority elects a leader within a bounded time and every
 *    controller's image is the same at the same committed offset.
 * Replay a failure with SIM_SEED=<seed>.
 */
const seeds = process.env.SIM_SEED ? [Number(process.env.SIM_SEED)] : Array.from({ length: Number(process.env.SIM_SEEDS ?? 20) }, (_, i) => 7000 + i * 104_729);
const CHAOS_MS = Number(process.env.SIM_FAULT_MS ?? 40_000);

describe.each(seeds)('quorum chaos (seed %i)', (seed) => {
  it('keeps one leader per epoch and committed metadata intact through kills and partitions, and recovers', async () => {
    const cluster = new SimCluster({ seed, brokers: 3, controllers: 3, controllerConfig: { 'metadata.log.max.record.bytes.between.snapshots': 4000 } });
    const { violations } = watchQuorum(cluster);
    cluster.onEvent((event: NodeEvent) => {
      // SIM_TRACE=1 prints every quorum transition, to diagnose a seed.
      if (process.env.SIM_TRACE && event.type === 'quorum-state') console.log('Q', event.time, event.node, event.state, event.epoch, event.votedId, event.leaderId, event.reason);
    });
    const { scheduler, random } = cluster;
    await cluster.start();
    await cluster.waitForBrokersRunning();
    const admin = cluster.kafka({ clientId: `chaos-${seed}` }).admin();
    await scheduler.await(admin.connect());

    const controllers = [...cluster.controllers.keys()];
    const brokers = [...cluster.brokers.keys()];
    const faults: string[] = [];
    let topics = 0;
    const end = scheduler.now + CHAOS_MS;
    while (scheduler.now < end) {
      const roll = random.next();
      const dead = (ids: number[], nodes: Map<number, { server: unknown }>) => ids.filter((id) => !nodes.get(id)!.server);
      if (roll < 0.2) {
        const live = controllers.filter((id) => cluster.controllers.get(id)!.server);
        if (live.length > 1) {
          const id = live[Math.floor(random.next() * live.length)];
          cluster.killController(id);
          faults.push(`${Math.round(scheduler.now)} kill controller ${id}`);
        }
      } else if (roll < 0.35) {
        for (const id of dead(controllers, cluster.controllers)) {
          await cluster.startController(id);
          faults.push(`${Math.round(scheduler.now)} restart controller ${id}`);
        }
      } else if (roll < 0.45) {
        const id = brokers[Math.floor(random.next() * brokers.length)];
        if (cluster.brokers.get(id)!.server) {
          cluster.killBroker(id);
          faults.push(`${Math.round(scheduler.now)} kill broker ${id}`);
        } else {
          await cluster.startBroker(id);
          faults.push(`${Math.round(scheduler.now)} restart broker ${id}`);
        }
      } else if (roll < 0.6) {
        const all = [...controllers, ...brokers];
        const id = all[Math.floor(random.next() * all.length)];
        cluster.isolate(id);
        faults.push(`${Math.round(scheduler.now)} isolate ${id}`);
      } else if (roll < 0.7) {
        // Two controllers apart from the third and a broker.
        const [a, b, c] = [...controllers].sort(() => random.next() - 0.5);
        cluster.partition([[a, b, 1], [c, 2, 3]]);
        faults.push(`${Math.round(scheduler.now)} partition {${a},${b},1} | {${c},2,3}`);
      } else if (roll < 0.85) {
        cluster.heal();
        faults.push(`${Math.round(scheduler.now)} heal`);
      } else {
        // Metadata changes while the faults go on: they may fail, never corrupt.
        void admin.createTopics({ topics: [{ topic: `chaos-${topics++}`, numPartitions: 1, replicationFactor: 1 }], timeout: 2000 }).catch(() => undefined);
      }
      await scheduler.runFor(500 + Math.floor(random.next() * 2500));
    }

    // Heal everything: a live majority must elect a leader within a bounded time.
    cluster.heal();
    for (const id of controllers) if (!cluster.controllers.get(id)!.server) await cluster.startController(id);
    for (const id of brokers) if (!cluster.brokers.get(id)!.server) await cluster.startBroker(id);
    const states = () => controllers.map((id) => {
      const server = cluster.controllers.get(id)!.server as unknown as { isActive: boolean; image: { offset: number }; raft: { state: string; epoch: number; leaderId: number | null; highWatermark: number; log: { logStartOffset: number; logEndOffset: number } } } | null;
      return server ? `${id}: ${server.raft.state} epoch ${server.raft.epoch} leader ${server.raft.leaderId} hw ${server.raft.highWatermark} log [${server.raft.log.logStartOffset},${server.raft.log.logEndOffset}) image ${server.image.offset} active ${server.isActive}` : `${id}: dead`;
    }).join('; ') + ' | brokers: ' + brokers.map((id) => {
      const b = cluster.brokers.get(id)!.server as unknown as { image: { offset: number }; controllerIndex: number; metadataCaughtUp: boolean; state: string } | null;
      return b ? `${id}: image ${b.image.offset} ctl#${b.controllerIndex} caughtUp ${b.metadataCaughtUp} ${b.state}` : `${id}: dead`;
    }).join('; ');
    const netState = () => `blocked b2-1001: ${cluster.network.isBlocked('broker-2', 'controller-1001')} up1001: ${cluster.network.isUp('controller-1001')} delivered ${cluster.network.delivered} dropped ${cluster.network.dropped}`;
    const context = () => netState() + ' ' + `[seed ${seed}; replay: SIM_SEED=${seed} npx vitest run tests/sim/quorumChaos] controllers: ${states()}\nfaults:\n${faults.join('\n')}`;
    const healedAt = scheduler.now;
    const active = () => controllers.find((id) => cluster.controllers.get(id)!.server?.isActive);
    try {
      // Election timeout 1-2 s, fetch timeout 2 s, a few rounds for split votes.
      await scheduler.runUntilTrue(() => active() !== undefined, 15_000, 'an active controller after healing');
      await cluster.waitForBrokersRunning(30_000);
      // A broker's metadata fetch lost to the cut times out (5 s) before it asks again.
      await scheduler.runFor(6000);
      await scheduler.await(admin.createTopics({ topics: [{ topic: 'after-chaos', numPartitions: 1, replicationFactor: 3 }] }), 60_000);
      const images = () => controllers.map((id) => cluster.controllers.get(id)!.server!.image);
      await scheduler.runUntilTrue(() => new Set(images().map((i) => i.offset)).size === 1, 15_000, 'controllers at one committed offset');
      const summary = (i: ReturnType<typeof images>[number]) => JSON.stringify([[...i.brokers.values()], [...i.topics.values()], i.nextProducerId]);
      for (const image of images()) expect(summary(image), context()).toBe(summary(images()[0]));
    } catch (error) {
      throw new Error(`${(error as Error).message} ${context()}`, { cause: error });
    }
    expect(scheduler.now - healedAt).toBeLessThan(60_000);
    expect(violations, context()).toEqual([]);
  }, 120_000);
});
