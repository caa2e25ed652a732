import { describe, expect, it } from 'vitest';
import { SimCluster } from '../../src/sim/simCluster';
import type { NodeEvent } from '../../src/kafka/events';
import { PartitionAssigners, type Consumer, type Kafka } from '../../src/kafka/client';

/**
 * Seeded consumer-group simulations: 3 brokers, a controller, a producer writing keyed records
 * into 6 partitions, and consumers of one group that join, crash (no LeaveGroup: the coordinator
 * finds out by session.timeout.ms) and leave while records flow; sometimes the coordinator's
 * broker crashes too. Once per run a member's link to the coordinator is cut just as it starts
 * rejoining for a new member, and healed later: the group goes on without it, and when its
 * JoinGroup or SyncGroup finally gets through it learns its partitions are lost. After the group
 * settles:
 * - every partition has exactly one owner, and each consumer's own view agrees with the coordinator's;
 * - no committed offset goes backwards;
 * - every record below the committed offsets was delivered to some member (at-least-once);
 * - with cooperative-sticky, no partition a member kept was revoked from it (KIP-429).
 * A failure names its seed; replay with SIM_SEED=<seed> npx vitest run tests/sim/groups.
 */
const seeds = process.env.SIM_SEED
  ? [Number(process.env.SIM_SEED)]
  : Array.from({ length: Number(process.env.SIM_SEEDS ?? 4) }, (_, i) => 4200 + i * 7919);

const TOPIC = 'events';
const GROUP = 'analytics';
const PARTITIONS = 6;

interface Member { consumer: Consumer; kafka: Kafka; alive: boolean; name: string; memberId: string }

async function runGroups(seed: number, assignor: 'roundRobin' | 'cooperativeSticky') {
  const cluster = new SimCluster({ seed, brokers: 3, controllers: 1 });
  const { scheduler, random } = cluster;
  const events: NodeEvent[] = [];
  cluster.onEvent((e) => { if (e.type === 'offset-commit' || e.type === 'group-state' || e.type === 'consumer-rebalance') events.push(e); });
  await cluster.start();
  await cluster.waitForBrokersRunning();
  const kafka = cluster.kafka({ clientId: `setup-${seed}` });
  const admin = kafka.admin();
  await scheduler.await(admin.connect());
  await scheduler.await(admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }] }));

  // The producer writes in the background until told to stop.
  const producer = kafka.producer({ idempotent: true, retry: { retries: 20 } });
  await scheduler.await(producer.connect());
  let producing = true;
  let produced = 0;
  const produceLoop = (async () => {
    while (producing) {
      const key = `k${Math.floor(random.next() * 50)}`;
      await producer.send({ topic: TOPIC, acks: -1, messages: [{ key, value: `${key}-${produced}` }] }).then(() => { produced++; }, () => undefined);
      await new Promise<void>((resolve) => cluster.scheduler.clockFor('producer-loop').setTimer(20 + random.next() * 60, resolve));
    }
  })();

  /** partition -> offsets delivered to a live member */
  const delivered = new Map<number, Set<number>>();
  const members: Member[] = [];
  let memberCount = 0;
  const startMember = async () => {
    const memberKafka = cluster.kafka({ clientId: `member-${++memberCount}` });
    const consumer = memberKafka.consumer({
      groupId: GROUP, sessionTimeout: 6000, heartbeatInterval: 1000, rebalanceTimeout: 10_000,
      partitionAssigners: [PartitionAssigners[assignor]], retry: { retries: 30 },
    });
    const member: Member = { consumer, kafka: memberKafka, alive: true, name: `member-${memberCount}`, memberId: '' };
    consumer.on(consumer.events.GROUP_JOIN, (e) => { member.memberId ||= e.payload.memberId; });
    members.push(member);
    await scheduler.await(consumer.connect(), 60_000, `${member.name} connects`);
    await scheduler.await(consumer.subscribe({ topic: TOPIC, fromBeginning: true }));
    await scheduler.await(consumer.run({
      autoCommitInterval: 1000,
      eachMessage: async ({ partition, message }) => {
        if (!member.alive) return;
        let set = delivered.get(partition);
        if (!set) delivered.set(partition, (set = new Set()));
        set.add(Number(message.offset));
      },
    }), 120_000, `${member.name} runs`);
  };

  for (let i = 0; i < 3; i++) await startMember();
  await scheduler.runFor(8000);

  const coordinatorNow = () => [...events].reverse().find((e) => e.type === 'group-state' && e.groupId === GROUP && e.state !== 'Dead');
  /**
   * A member's link to the coordinator is cut as it starts rejoining for a newcomer (it goes on
   * fetching from the other brokers), and healed a while later.
   */
  const cutMemberFromCoordinator = async () => {
    const alive = members.filter((m) => m.alive);
    const victim = alive[Math.floor(random.next() * alive.length)];
    const coordinator = coordinatorNow();
    const address = events.find((e) => e.type === 'consumer-rebalance' && e.memberId === victim.memberId)?.node;
    if (!coordinator || !address) return;
    let armed = true;
    const off = cluster.onEvent((e) => {
      if (armed && e.type === 'consumer-rebalance' && e.node === address && e.phase === 'join') {
        armed = false;
        cluster.network.cut(address, coordinator.node);
      }
    });
    await startMember();
    off();
    await scheduler.runFor(4000 + random.next() * 8000);
    cluster.heal();
  };

  // Chaos: members join, crash and leave; the coordinator's broker may crash once; one member is cut off from the coordinator.
  let coordinatorKilled: number | null = null;
  for (let step = 0; step < 12; step++) {
    const alive = members.filter((m) => m.alive);
    if (step === 6) {
      await cutMemberFromCoordinator();
      continue;
    }
    const roll = random.next();
    if (roll < 0.35 && alive.length < 5) {
      await startMember();
    } else if (roll < 0.6 && alive.length > 1) {
      const victim = alive[Math.floor(random.next() * alive.length)];
      victim.alive = false;
      cluster.killClient(victim.kafka);
    } else if (roll < 0.85 && alive.length > 1) {
      const leaving = alive[Math.floor(random.next() * alive.length)];
      leaving.alive = false;
      await scheduler.await(leaving.consumer.disconnect(), 60_000, `${leaving.name} leaves`);
    } else if (coordinatorKilled === null) {
      const coordinator = coordinatorNow();
      if (coordinator) {
        coordinatorKilled = Number(coordinator.node.slice('broker-'.length));
        cluster.killBroker(coordinatorKilled);
      }
    }
    await scheduler.runFor(2000 + random.next() * 6000);
    if (coordinatorKilled !== null && coordinatorKilled > 0 && random.next() < 0.5) {
      await cluster.startBroker(coordinatorKilled);
      coordinatorKilled = -1; // restarted; no second crash
    }
  }
  if (coordinatorKilled !== null && coordinatorKilled > 0) await cluster.startBroker(coordinatorKilled);
  producing = false;
  await scheduler.await(produceLoop, 120_000, 'producer stops');
  await cluster.waitForBrokersRunning(120_000);

  // Settle: longer than a session timeout and a rebalance, plus commits.
  const alive = members.filter((m) => m.alive);
  const groupView = () => [...events].reverse().find((e): e is Extract<NodeEvent, { type: 'group-state' }> => e.type === 'group-state' && e.groupId === GROUP && e.state !== 'Dead');
  const owners = () => {
    const g = groupView();
    const owner = new Map<number, string[]>();
    for (const m of g?.members ?? []) for (const tp of m.assignment) for (const p of tp.partitions) owner.set(p, [...(owner.get(p) ?? []), m.memberId]);
    return owner;
  };
  const settled = () => {
    const g = groupView();
    if (!g || g.state !== 'Stable' || g.members.length !== alive.length) return false;
    const o = owners();
    return o.size === PARTITIONS && [...o.values()].every((ids) => ids.length === 1);
  };
  await scheduler.runUntilTrue(settled, 180_000, `seed ${seed}: the group settles with ${alive.length} members`);
  // Let every member consume to the end and commit.
  await scheduler.runFor(15_000);

  const failures: string[] = [];
  // Each member's own last assignment agrees with the coordinator's.
  const final = groupView()!;
  for (const m of final.members) {
    const own = [...events].reverse().find((e) => e.type === 'consumer-rebalance' && e.phase === 'assign' && e.memberId === m.memberId);
    const mine = own?.type === 'consumer-rebalance' ? own.partitions.flatMap((t) => t.partitions).sort() : [];
    const theirs = m.assignment.flatMap((t) => t.partitions).sort();
    if (JSON.stringify(mine) !== JSON.stringify(theirs)) failures.push(`${m.memberId} thinks it owns [${mine}] but the coordinator assigned [${theirs}]`);
  }
  // Committed offsets never go backwards.
  const committed = new Map<number, number>();
  for (const e of events) {
    if (e.type !== 'offset-commit' || e.groupId !== GROUP) continue;
    const before = committed.get(e.partition) ?? -1;
    if (e.offset < before) failures.push(`committed offset of partition ${e.partition} went back from ${before} to ${e.offset}`);
    committed.set(e.partition, Math.max(before, e.offset));
  }
  // At-least-once: everything below the committed offset was delivered to some member.
  for (const [partition, offset] of committed) {
    const got = delivered.get(partition) ?? new Set<number>();
    for (let o = 0; o < offset; o++) if (!got.has(o)) { failures.push(`partition ${partition}: offset ${o} is below the committed ${offset} but was never delivered`); break; }
  }
  const totalCommitted = [...committed.values()].reduce((a, b) => a + b, 0);
  if (totalCommitted < produced) failures.push(`only ${totalCommitted} of ${produced} produced records are committed after settling`);
  // KIP-429: a cooperative member revokes only what it gives up.
  if (assignor === 'cooperativeSticky') {
    for (const e of events) {
      if (e.type !== 'consumer-rebalance' || e.phase !== 'revoke') continue;
      const next = events.find((n) => n.type === 'consumer-rebalance' && n.phase === 'assign' && n.memberId === e.memberId && n.time >= e.time && n.generationId === e.generationId);
      if (next?.type !== 'consumer-rebalance') continue;
      const kept = next.partitions.flatMap((t) => t.partitions);
      const revokedKept = e.partitions.flatMap((t) => t.partitions).filter((p) => kept.includes(p));
      if (revokedKept.length > 0) failures.push(`${e.memberId} revoked [${revokedKept}] in generation ${e.generationId} but kept them`);
    }
  }
  for (const m of alive) await scheduler.await(m.consumer.disconnect(), 60_000, `${m.name} disconnects`);
  return { failures, produced, members: members.length };
}

describe('consumer groups under churn', () => {
  for (const assignor of ['roundRobin', 'cooperativeSticky'] as const) {
    for (const seed of seeds) {
      it(`${assignor}, seed ${seed}`, async () => {
        const result = await runGroups(seed, assignor);
        expect(result.produced, `seed ${seed}`).toBeGreaterThan(50);
        expect(result.failures, `seed ${seed} (replay: SIM_SEED=${seed})`).toEqual([]);
      }, 120_000);
    }
  }
});
