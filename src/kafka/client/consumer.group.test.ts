/**
 * Consumers in groups on a simulated cluster (3 brokers, the real group coordinator), in
 * simulated time: assignment, LeaveGroup, a crashed member removed after session.timeout.ms,
 * cooperative-sticky rebalancing (KIP-429), committed offsets across rebalances, and two groups
 * on one topic.
 */
import { describe, expect, it } from 'vitest';
import { SimCluster } from '../../sim/simCluster';
import { brokerAddress } from '../config';
import type { NodeEvent, TopicPartitions } from '../events';
import { range } from '../group/assignors';
import { PartitionAssigners, type Consumer, type ConsumerConfig, type ConsumerRunConfig, type Kafka } from './index';

const TOPIC = 'orders';

type RebalanceEvent = Extract<NodeEvent, { type: 'consumer-rebalance' }>;

interface Member {
  name: string;
  kafka: Kafka;
  consumer: Consumer;
  /** partition -> offsets delivered, in order */
  delivered: Map<number, number[]>;
  joins: { memberId: string; memberAssignment: Record<string, number[]>; isLeader: boolean; groupProtocol: string }[];
}

async function setup(seed: number, partitions = 6) {
  const cluster = new SimCluster({ seed, brokers: 3, controllers: 1 });
  const rebalances: RebalanceEvent[] = [];
  const logs: Extract<NodeEvent, { type: 'log' }>[] = [];
  /** Every offset the coordinator stored, "group/partition" -> offsets in order. */
  const commits = new Map<string, number[]>();
  let coordinatorNode = '';
  cluster.onEvent((e) => {
    if (e.type === 'consumer-rebalance') rebalances.push(e);
    if (e.type === 'log') logs.push(e);
    if (e.type === 'offset-commit' && !e.loaded) commits.set(`${e.groupId}/${e.partition}`, [...(commits.get(`${e.groupId}/${e.partition}`) ?? []), e.offset]);
    if (e.type === 'group-state' && e.state !== 'Dead') coordinatorNode = e.node;
  });
  const { scheduler } = cluster;
  await cluster.start();
  await cluster.waitForBrokersRunning();
  const kafka = cluster.kafka({ clientId: 'setup' });
  const admin = kafka.admin();
  await scheduler.await(admin.connect());
  await scheduler.await(admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: partitions, replicationFactor: 3 }] }));
  const producer = kafka.producer();
  await scheduler.await(producer.connect());
  let produced = 0;
  /** `perPartition` records into every partition. */
  const produce = async (perPartition: number) => {
    const messages = [];
    for (let p = 0; p < partitions; p++) for (let i = 0; i < perPartition; i++) messages.push({ partition: p, value: `p${p}-${produced + i}` });
    produced += perPartition;
    await scheduler.await(producer.send({ topic: TOPIC, acks: -1, messages }));
  };

  let count = 0;
  const start = async (groupId: string, config: Partial<ConsumerConfig> = {}, made?: (consumer: Consumer) => void, run: Partial<ConsumerRunConfig> = {}): Promise<Member> => {
    const name = `${groupId}-member-${++count}`;
    const memberKafka = cluster.kafka({ clientId: name });
    const consumer = memberKafka.consumer({ groupId, maxWaitTimeInMs: 1000, ...config });
    const member: Member = { name, kafka: memberKafka, consumer, delivered: new Map(), joins: [] };
    consumer.on(consumer.events.GROUP_JOIN, (e) => member.joins.push(e.payload));
    made?.(consumer);
    await scheduler.await(consumer.connect());
    await scheduler.await(consumer.subscribe({ topic: TOPIC, fromBeginning: true }));
    await scheduler.await(consumer.run({
      autoCommitInterval: 500,
      ...run,
      eachMessage: async ({ partition, message }) => {
        const list = member.delivered.get(partition) ?? [];
        member.delivered.set(partition, list);
        list.push(Number(message.offset));
      },
    }), 120_000, `${name} joins`);
    return member;
  };

  /** Each member's current partitions of TOPIC, from its last group_join. */
  const owned = (m: Member): number[] => [...(m.joins.at(-1)?.memberAssignment[TOPIC] ?? [])].sort((a, b) => a - b);
  /** True when the members own every partition between them, each exactly once, in the given counts. */
  const balanced = (members: Member[], counts: number[]): boolean => {
    const all = members.flatMap(owned);
    return new Set(all).size === partitions && all.length === partitions
      && JSON.stringify(members.map((m) => owned(m).length).sort()) === JSON.stringify([...counts].sort());
  };
  const deliveredAll = (members: Member[]): Map<number, Set<number>> => {
    const out = new Map<number, Set<number>>();
    for (const m of members) for (const [p, offsets] of m.delivered) for (const o of offsets) (out.get(p) ?? out.set(p, new Set()).get(p)!).add(o);
    return out;
  };
  const fetchOffsets = async (groupId: string) => {
    const result = await scheduler.await(admin.fetchOffsets({ groupId, topics: [TOPIC] }));
    return new Map(result[0].partitions.map((p) => [p.partition, Number(p.offset)]));
  };
  /** The broker that last reported a group's state: the coordinator. */
  const coordinator = () => Number(coordinatorNode.slice('broker-'.length));
  /** Where a committed offset went back: "group/partition: before -> after". */
  const wentBack = (): string[] => [...commits].flatMap(([key, offsets]) =>
    offsets.flatMap((o, i) => (i > 0 && o < Math.max(...offsets.slice(0, i)) ? [`${key}: ${Math.max(...offsets.slice(0, i))} -> ${o}`] : [])));
  /** The member's network address (its events' node). */
  const addressOf = (m: Member): string => rebalances.find((e) => e.memberId === m.joins[0]?.memberId)!.node;
  return { cluster, scheduler, admin, produce, start, owned, balanced, deliveredAll, fetchOffsets, rebalances, coordinator, logs, commits, wentBack, addressOf };
}

describe('consumer groups', () => {
  it('3 consumers share 6 partitions 2 each; one leaves and the other two take 3 each at once', async () => {
    const { scheduler, produce, start, owned, balanced, deliveredAll, fetchOffsets } = await setup(1);
    await produce(5);
    const members = [await start('g'), await start('g'), await start('g')];
    await scheduler.runUntilTrue(() => balanced(members, [2, 2, 2]), 60_000, 'two partitions each');
    expect(members.flatMap(owned).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(members.every((m) => m.joins.at(-1)!.groupProtocol === 'RoundRobinAssigner')).toBe(true);
    expect(members.filter((m) => m.joins.at(-1)!.isLeader)).toHaveLength(1);

    await scheduler.runUntilTrue(() => [...deliveredAll(members).values()].reduce((n, s) => n + s.size, 0) === 30, 30_000, 'every record delivered');
    const [leaving, ...staying] = members;
    const left = scheduler.now;
    await scheduler.await(leaving.consumer.disconnect());
    // LeaveGroup: the rebalance starts at once, not after session.timeout.ms (30 s).
    await scheduler.runUntilTrue(() => balanced(staying, [3, 3]), 15_000, 'three partitions each');
    expect(scheduler.now - left).toBeLessThan(30_000);

    await produce(5);
    await scheduler.runUntilTrue(() => [...deliveredAll(members).values()].reduce((n, s) => n + s.size, 0) === 60, 30_000, 'the new records delivered');
    await scheduler.runFor(2000);
    const committed = await fetchOffsets('g');
    expect([...committed.values()]).toEqual([10, 10, 10, 10, 10, 10]);
    for (const m of staying) await scheduler.await(m.consumer.disconnect());
  }, 60_000);

  it('a killed consumer is removed after session.timeout.ms and its partitions go to the others', async () => {
    const { cluster, scheduler, produce, start, owned, balanced, deliveredAll } = await setup(2);
    const config = { sessionTimeout: 10_000, heartbeatInterval: 1000 };
    const members = [await start('g', config), await start('g', config), await start('g', config)];
    await scheduler.runUntilTrue(() => balanced(members, [2, 2, 2]), 60_000, 'two partitions each');
    const [victim, ...survivors] = members;
    const killedAt = scheduler.now;
    cluster.killClient(victim.kafka);
    // Nothing happens while the coordinator still counts on the victim's session.
    await scheduler.runFor(8000);
    expect(survivors.map((m) => owned(m).length)).toEqual([2, 2]);
    await scheduler.runUntilTrue(() => balanced(survivors, [3, 3]), 30_000, 'survivors take the victim\'s partitions');
    expect(scheduler.now - killedAt).toBeGreaterThanOrEqual(9000);

    await produce(4);
    await scheduler.runUntilTrue(() => [...deliveredAll(survivors).values()].reduce((n, s) => n + s.size, 0) === 24, 30_000, 'records delivered to the survivors');
    for (const m of survivors) await scheduler.await(m.consumer.disconnect());
  }, 60_000);

  it('cooperative-sticky: a member joining makes the others revoke only the partitions that move', async () => {
    const { scheduler, produce, start, owned, balanced, deliveredAll, rebalances } = await setup(3);
    const config = { partitionAssigners: [PartitionAssigners.cooperativeSticky] };
    await produce(3);
    const first = [await start('coop', config), await start('coop', config)];
    await scheduler.runUntilTrue(() => balanced(first, [3, 3]), 60_000, 'three partitions each');
    const before = first.map(owned);
    const mark = rebalances.length;
    const third = await start('coop', config);
    const all = [...first, third];
    await scheduler.runUntilTrue(() => balanced(all, [2, 2, 2]), 60_000, 'two partitions each');
    expect(third.joins.at(-1)!.groupProtocol).toBe('cooperative-sticky');

    // Each of the first two kept 2 of its 3 partitions and revoked only the one that moved.
    const revokes = rebalances.slice(mark).filter((e) => e.phase === 'revoke');
    for (const [i, m] of first.entries()) {
      const after = owned(m);
      expect(after.every((p) => before[i].includes(p))).toBe(true);
      const memberId = rebalances.slice(mark).find((e) => e.phase === 'assign' && sameOwner(e, after))?.memberId;
      const revoked = revokes.filter((e) => e.memberId === memberId).flatMap((e) => e.partitions.flatMap((t) => t.partitions));
      expect(revoked.sort()).toEqual(before[i].filter((p) => !after.includes(p)));
    }
    expect(owned(third).every((p) => !first.some((m) => owned(m).includes(p)))).toBe(true);

    // Nothing skipped: every record reached some member.
    await produce(3);
    await scheduler.runUntilTrue(() => [...deliveredAll(all).values()].every((s) => s.size === 6) && deliveredAll(all).size === 6, 30_000, 'every record delivered');
    for (const m of all) await scheduler.await(m.consumer.disconnect());
  }, 60_000);

  it('a partition that changes hands continues from its committed offset: nothing skipped, nothing lost', async () => {
    const { scheduler, produce, start, balanced, deliveredAll, fetchOffsets } = await setup(4);
    await produce(10);
    const a = await start('g');
    await scheduler.runUntilTrue(() => balanced([a], [6]), 30_000, 'a owns everything');
    await scheduler.runUntilTrue(() => deliveredAll([a]).size === 6 && [...deliveredAll([a]).values()].every((s) => s.size === 10), 30_000, 'a consumed');
    await scheduler.runFor(1000);
    const b = await start('g');
    await scheduler.runUntilTrue(() => balanced([a, b], [3, 3]), 60_000, 'a and b share');
    await produce(10);
    await scheduler.runUntilTrue(() => [...deliveredAll([a, b]).values()].every((s) => s.size === 20), 30_000, 'records after the rebalance');
    // b started from the committed offsets of its partitions: it got only the new records.
    for (const [p, offsets] of b.delivered) expect(offsets.every((o) => o >= 10), `partition ${p}`).toBe(true);
    // Every partition's offsets were delivered in one unbroken run (no gaps).
    for (const [p, set] of deliveredAll([a, b])) expect([...set].sort((x, y) => x - y), `partition ${p}`).toEqual(Array.from({ length: 20 }, (_, i) => i));
    await scheduler.await(a.consumer.disconnect());
    await scheduler.runUntilTrue(() => balanced([b], [6]), 30_000, 'b owns everything');
    await produce(5);
    await scheduler.runUntilTrue(() => [...deliveredAll([a, b]).values()].every((s) => s.size === 25), 30_000, 'records after a left');
    await scheduler.await(b.consumer.disconnect());
    expect([...(await fetchOffsets('g')).values()]).toEqual([25, 25, 25, 25, 25, 25]);
  }, 60_000);

  it('cooperative-sticky: a member cut off from its coordinator while it rejoins has lost its partitions: it commits none of them and claims none, so no committed offset goes back', async () => {
    const { cluster, scheduler, produce, start, owned, balanced, deliveredAll, fetchOffsets, rebalances, coordinator, logs, wentBack, addressOf } = await setup(9);
    const config = { partitionAssigners: [PartitionAssigners.cooperativeSticky], sessionTimeout: 6000, heartbeatInterval: 1000, rebalanceTimeout: 10_000, retry: { retries: 10 } };
    const count = (members: Member[]) => [...deliveredAll(members).values()].reduce((n, set) => n + set.size, 0);
    await produce(10);
    // a commits nothing on its own (a long auto-commit interval): all it processed is still uncommitted.
    const a = await start('coop', config, undefined, { autoCommitInterval: 600_000 });
    await scheduler.runUntilTrue(() => count([a]) === 60, 30_000, 'a consumed');
    const aAddress = addressOf(a);
    const coordinatorAddress = brokerAddress(coordinator());
    // b joins. As a starts rejoining, its application stalls (paused) and its link to the coordinator is cut.
    let cutAt = -1;
    cluster.onEvent((e) => {
      if (cutAt < 0 && e.type === 'consumer-rebalance' && e.node === aAddress && e.phase === 'join') {
        cutAt = rebalances.length;
        a.consumer.pause([{ topic: TOPIC }]);
        cluster.network.cut(aAddress, coordinatorAddress);
      }
    });
    const b = await start('coop', config);
    expect(cutAt).toBeGreaterThanOrEqual(0);
    // The coordinator drops a (no heartbeat for session.timeout.ms): b takes everything and commits past a.
    await scheduler.runUntilTrue(() => owned(b).length === 6, 30_000, 'b owns every partition');
    await produce(5);
    await scheduler.runUntilTrue(() => [...deliveredAll([b]).values()].every((s) => s.has(14)), 30_000, 'b consumed');
    await scheduler.runFor(2000);
    expect([...(await fetchOffsets('coop')).values()]).toEqual([15, 15, 15, 15, 15, 15]);

    // The link heals: a's JoinGroup is answered UNKNOWN_MEMBER_ID, its partitions are lost.
    cluster.network.heal();
    await scheduler.runUntilTrue(() => balanced([a, b], [3, 3]), 60_000, 'a and b share');
    expect(wentBack()).toEqual([]);
    const aRevokes = rebalances.slice(cutAt).filter((e) => e.node === aAddress && e.phase === 'revoke');
    expect(aRevokes.flatMap((e) => e.partitions.flatMap((t) => t.partitions)).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    const aLogs = logs.filter((e) => e.node === aAddress).map((e) => e.message);
    expect(aLogs.some((m) => m.startsWith('JoinGroup for group coop: UNKNOWN_MEMBER_ID'))).toBe(true);
    expect(aLogs.some((m) => /partitions lost .*: orders \[0, 1, 2, 3, 4, 5\]; dropped without committing/.test(m))).toBe(true);
    a.consumer.resume([{ topic: TOPIC }]);
    await produce(5);
    await scheduler.runUntilTrue(() => [...deliveredAll([a, b]).values()].every((s) => s.has(19)), 30_000, 'both consumed');
    for (const m of [a, b]) await scheduler.await(m.consumer.disconnect());
    expect(wentBack()).toEqual([]);
    expect([...(await fetchOffsets('coop')).values()]).toEqual([20, 20, 20, 20, 20, 20]);
  }, 60_000);

  it('two groups consume the same topic independently, each at its own offsets', async () => {
    const { scheduler, produce, start, balanced, deliveredAll, fetchOffsets } = await setup(5);
    await produce(4);
    const blue = [await start('blue'), await start('blue')];
    const green = [await start('green')];
    await scheduler.runUntilTrue(() => balanced(blue, [3, 3]) && balanced(green, [6]), 60_000, 'both groups assigned');
    const count = (members: Member[]) => [...deliveredAll(members).values()].reduce((n, set) => n + set.size, 0);
    await scheduler.runUntilTrue(() => count(blue) === 24 && count(green) === 24, 30_000, 'both consumed');
    expect(deliveredAll(blue).size).toBe(6);
    expect(deliveredAll(green).size).toBe(6);
    await scheduler.await(green[0].consumer.disconnect());
    await produce(4);
    await scheduler.runUntilTrue(() => [...deliveredAll(blue).values()].every((s) => s.size === 8), 30_000, 'blue goes on');
    await scheduler.runFor(2000);
    expect([...(await fetchOffsets('blue')).values()]).toEqual([8, 8, 8, 8, 8, 8]);
    expect([...(await fetchOffsets('green')).values()]).toEqual([4, 4, 4, 4, 4, 4]);
    // green resumes where it stopped.
    const again = await start('green');
    await scheduler.runUntilTrue(() => [...again.delivered.values()].reduce((n, l) => n + l.length, 0) === 24, 30_000, 'green catches up');
    expect([...again.delivered.values()].flat().every((o) => o >= 4)).toBe(true);
    for (const m of [...blue, again]) await scheduler.await(m.consumer.disconnect());
  }, 60_000);

  it('carries on through the coordinator\'s broker crashing: nothing skipped, offsets committed on the new coordinator', async () => {
    const { cluster, scheduler, produce, start, balanced, deliveredAll, fetchOffsets, coordinator } = await setup(8);
    const config = { sessionTimeout: 10_000, heartbeatInterval: 1000 };
    await produce(3);
    const members = [await start('g', config), await start('g', config)];
    await scheduler.runUntilTrue(() => balanced(members, [3, 3]), 60_000, 'assigned');
    const count = () => [...deliveredAll(members).values()].reduce((n, set) => n + set.size, 0);
    await scheduler.runUntilTrue(() => count() === 18, 30_000, 'consumed');
    const dead = coordinator();
    expect(dead).toBeGreaterThan(0);
    cluster.killBroker(dead);
    await produce(3);
    await scheduler.runUntilTrue(() => count() === 36, 60_000, 'consumed after the coordinator died');
    await scheduler.runFor(3000);
    expect(coordinator()).not.toBe(dead);
    expect([...(await fetchOffsets('g')).values()]).toEqual([6, 6, 6, 6, 6, 6]);
    for (const [p, set] of deliveredAll(members)) expect([...set].sort((x, y) => x - y), `partition ${p}`).toEqual([0, 1, 2, 3, 4, 5]);
    for (const m of members) await scheduler.await(m.consumer.disconnect());
  }, 60_000);

  it('sends heartbeats, reports group_join, and describeGroup shows the members', async () => {
    const { scheduler, start, balanced } = await setup(6);
    const heartbeats: { groupId: string; memberId: string; groupGenerationId: number }[] = [];
    const a = await start('g', { heartbeatInterval: 1000 });
    a.consumer.on(a.consumer.events.HEARTBEAT, (e) => heartbeats.push(e.payload));
    const b = await start('g', { heartbeatInterval: 1000 });
    await scheduler.runUntilTrue(() => balanced([a, b], [3, 3]), 60_000, 'assigned');
    await scheduler.runFor(5000);
    expect(heartbeats.length).toBeGreaterThanOrEqual(3);
    const description = await scheduler.await(a.consumer.describeGroup());
    expect(description).toMatchObject({ groupId: 'g', state: 'Stable', protocol: 'RoundRobinAssigner', protocolType: 'consumer', errorCode: 0 });
    expect(description.members.map((m) => m.clientId).sort()).toEqual([a.name, b.name].sort());
    expect(heartbeats.at(-1)!.memberId).toBe(description.members.find((m) => m.clientId === a.name)!.memberId);
    for (const m of [a, b]) await scheduler.await(m.consumer.disconnect());
  }, 60_000);
});

describe('partition assigners', () => {
  it('takes an Assignor object as well; a member with no protocol in common with the group fails to join', async () => {
    const { scheduler, start, owned, balanced } = await setup(7);
    const a = await start('ranged', { partitionAssigners: [range] });
    const b = await start('ranged', { partitionAssigners: [PartitionAssigners.range] });
    await scheduler.runUntilTrue(() => balanced([a, b], [3, 3]), 60_000, 'range assigned');
    expect(a.joins.at(-1)!.groupProtocol).toBe('range');
    // range gives each member a contiguous block.
    expect([owned(a), owned(b)].sort((x, y) => x[0] - y[0])).toEqual([[0, 1, 2], [3, 4, 5]]);

    const crashes: { error: { type?: string }; restart: boolean }[] = [];
    const odd = await start('ranged', { partitionAssigners: [PartitionAssigners.roundRobin] }, (c) => c.on(c.events.CRASH, (e) => crashes.push(e.payload)))
      .catch((error) => error);
    expect(odd.type).toBe('INCONSISTENT_GROUP_PROTOCOL');
    expect(crashes.map((c) => [c.error.type, c.restart])).toEqual([['INCONSISTENT_GROUP_PROTOCOL', false]]);
    for (const m of [a, b]) await scheduler.await(m.consumer.disconnect());
  }, 60_000);
});

function sameOwner(e: RebalanceEvent, partitions: number[]): boolean {
  const got: TopicPartitions[] = e.partitions;
  return JSON.stringify(got.flatMap((t) => t.partitions).sort()) === JSON.stringify([...partitions].sort());
}
