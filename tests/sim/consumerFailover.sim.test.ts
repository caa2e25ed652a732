import { describe, expect, it } from 'vitest';
import { SimCluster } from '../../src/sim/simCluster';
import { SeededRandom } from '../../src/sim/random';
import type { NodeEvent } from '../../src/kafka/events';
import { PartitionAssigners, type Consumer } from '../../src/kafka/client';
import { partitionForKey } from '../../src/kafka/client/partitioner';
import { ConsumerApp, consumerAppOptions } from '../../src/runtime/clientRuntime';

/**
 * Consumers of a group keep up through a broker's crash, its restart, and leadership moving back
 * to it (preferred leader election, by request or by auto.leader.rebalance.enable), while a
 * producer keeps writing: 3 brokers in racks a..c, 3 controllers, 3 to 12 partitions, 1 to 3
 * members (the playground's consumer applications, or KafkaJS consumers with or without
 * client.rack, KIP-392). The crashed broker leads the most partitions, or coordinates the group;
 * it restarts at once (its new incarnation answers requests while it catches up) or later.
 *
 * The group is stable before the crash; then:
 * - every acknowledged record reaches a consumer within 30 s of simulated time after the last produce;
 * - every record acknowledged after the election reaches a consumer within 15 s of its acknowledgement.
 * (A consumer that held back all its partitions by one shared backoff, doubled by each failed
 * partition up to the retry policy's 30 s, left partitions unfetched for up to half a minute
 * after the restarted broker answered a few fetches with errors while it caught up: seeds 72356
 * and 119798.)
 *
 * A failure names its seed; replay with SIM_SEED=<seed> npx vitest run tests/sim/consumerFailover
 * (SIM_LOG=1 prints what happened; SIM_SEEDS=<n> runs more seeds).
 */
const seeds = process.env.SIM_SEED
  ? [Number(process.env.SIM_SEED)]
  : Array.from({ length: Number(process.env.SIM_SEEDS ?? 15) }, (_, i) => 9100 + i * 7907);

const RACKS = ['rack-a', 'rack-b', 'rack-c'];
const TOPIC = 'orders';
const GROUP = 'billing';
/** How long after its acknowledgement a record written to the recovered cluster may take to be consumed. */
const LATENCY_BOUND_MS = 15_000;

type Election = 'request' | 'auto';

async function runFailover(seed: number, election: Election) {
  const random = new SeededRandom(seed * 31 + (election === 'auto' ? 1 : 0));
  const link = [{ minLatencyMs: 0, maxLatencyMs: 1, dropRate: 0 }, { minLatencyMs: 1, maxLatencyMs: 3, dropRate: 0 }, { minLatencyMs: 1, maxLatencyMs: 15, dropRate: 0 }][random.int(3)];
  const cluster = new SimCluster({
    seed, brokers: 3, controllers: 3, racks: RACKS, link,
    // As in the browser, auto.leader.rebalance.enable also moves __consumer_offsets (so the coordinator) back; checked often or at the default.
    controllerConfig: { 'auto.leader.rebalance.enable': election === 'auto' || random.next() < 0.5, 'leader.imbalance.check.interval.seconds': random.next() < 0.5 ? 5 : 30 },
  });
  const { scheduler } = cluster;
  const start = scheduler.now;
  const log: string[] = [];
  const note = (line: string) => log.push(`${Math.round(scheduler.now - start)} ms: ${line}`);
  const fail = (error: unknown): never => { throw new Error(`seed ${seed} (${election}): ${(error as Error).message}\n${log.join('\n')}`); };
  let coordinator = -1;
  let group: Extract<NodeEvent, { type: 'group-state' }> | null = null;
  cluster.onEvent((e: NodeEvent) => {
    if (e.type === 'leader-election' && (e.topic === TOPIC || e.topic === '__consumer_offsets')) note(`${e.topic}-${e.partition} leader ${e.leader} (${e.kind})`);
    if (e.type === 'client-error' && e.node.startsWith('client-')) note(`${e.node} ${e.operation} ${e.error}: ${e.message}`);
    if (e.type === 'consumer-rebalance') note(`${e.node} ${e.phase} generation ${e.generationId} ${JSON.stringify(e.partitions)}`);
    if (e.type === 'group-state' && e.groupId === GROUP) {
      if (e.state !== 'Dead') {
        coordinator = Number(e.node.slice('broker-'.length));
        group = e;
      }
      note(`${e.node}: group ${e.state}, generation ${e.generationId}`);
    }
  });
  await cluster.start();
  await cluster.waitForBrokersRunning();
  const kafka = cluster.kafka({ clientId: 'setup' });
  const admin = kafka.admin();
  await scheduler.await(admin.connect());
  const partitions = [3, 6, 9, 12][random.int(4)];
  await scheduler.await(admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: partitions, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }] }));
  const registration = (p: number) => cluster.controller().image.partition(TOPIC, p)!;

  // partition:offset -> when a consumer got it
  const consumedAt = new Map<string, number>();
  const consumed = (key: string) => {
    if (!consumedAt.has(key)) consumedAt.set(key, scheduler.now);
  };
  const members: { name: string; stop: () => Promise<void>; kind: string }[] = [];
  const memberCount = 1 + random.int(3);
  const cooperative = random.next() < 0.3;
  const quick = random.next() < 0.5;
  const processingDelayMs = random.next() < 0.5 ? 0 : 20;
  for (let i = 0; i < memberCount; i++) {
    const name = `member-${i + 1}`;
    const memberKafka = cluster.kafka({ clientId: name });
    if (random.next() < 0.5) {
      // The playground's consumer application (as cluster.startConsumer runs it in a worker).
      const app = new ConsumerApp(memberKafka, scheduler.clockFor(name), name, (e) => {
        if (e.type === 'consumer-processed') for (let o = e.firstOffset; o <= e.lastOffset; o++) consumed(`${e.partition}:${o}`);
      }, consumerAppOptions({
        groupId: GROUP, topics: [TOPIC], processingDelayMs, assignors: [cooperative ? 'cooperative-sticky' : 'RoundRobinAssigner'],
        ...(quick ? { sessionTimeout: 6000, heartbeatInterval: 1000, autoCommitInterval: 500 } : {}),
      }));
      members.push({ name, stop: () => app.stop(), kind: 'application' });
      await scheduler.await(app.start(), 60_000, `${name} starts`);
      continue;
    }
    const rack = random.next() < 0.7 ? RACKS[random.int(RACKS.length)] : undefined;
    const consumer: Consumer = memberKafka.consumer({
      groupId: GROUP, ...(rack ? { rackId: rack } : {}), retry: { retries: 30 },
      ...(quick ? { sessionTimeout: 6000, heartbeatInterval: 1000 } : {}),
      ...(cooperative ? { partitionAssigners: [PartitionAssigners.cooperativeSticky] } : {}),
    });
    members.push({ name, stop: () => consumer.disconnect(), kind: rack ?? 'no rack' });
    await scheduler.await(consumer.connect(), 60_000, `${name} connects`);
    await scheduler.await(consumer.subscribe({ topic: TOPIC, fromBeginning: true }));
    await scheduler.await(consumer.run({
      autoCommitInterval: quick ? 500 : 5000,
      eachMessage: async ({ partition, message }) => {
        if (processingDelayMs > 0) await new Promise<void>((resolve) => scheduler.clockFor(name).setTimer(processingDelayMs, resolve));
        consumed(`${partition}:${message.offset}`);
      },
    }), 120_000, `${name} joins`);
  }
  const stable = () => {
    const g = group as Extract<NodeEvent, { type: 'group-state' }> | null;
    return g !== null && g.state === 'Stable' && g.members.length === memberCount;
  };
  await scheduler.runUntilTrue(stable, 120_000, 'the group is stable').catch(fail);
  note(`${partitions} partitions; link latency up to ${link.maxLatencyMs} ms; ${cooperative ? 'cooperative' : 'eager'}; ${quick ? 'session 6000 ms' : 'default timeouts'}; processing ${processingDelayMs} ms; members ${members.map((m) => `${m.name} (${m.kind})`).join(', ')}`);

  // The producer writes in the background; only acknowledged records must be consumed.
  const producer = kafka.producer({ idempotent: true, retry: { retries: 30 } });
  await scheduler.await(producer.connect());
  /** partition:offset -> when the producer had the acknowledgement */
  const ackedAt = new Map<string, number>();
  const send = async (values: string[], keyOf: (value: string) => string) => {
    const messages = values.map((value) => ({ key: keyOf(value), value }));
    const results = await producer.send({ topic: TOPIC, acks: -1, messages }).catch(() => null);
    for (const r of results ?? []) {
      const written = messages.filter((m) => partitionForKey(m.key, partitions) === r.partition);
      written.forEach((_, i) => ackedAt.set(`${r.partition}:${Number(r.baseOffset) + i}`, scheduler.now));
    }
  };
  let producing = true;
  let sent = 0;
  const pause = (ms: number) => new Promise<void>((resolve) => scheduler.clockFor('producer-loop').setTimer(ms, resolve));
  const produceLoop = (async () => {
    while (producing) {
      const key = `k${random.int(20)}`;
      await send([`v${sent++}`], () => key);
      await pause(20 + random.next() * 300);
    }
  })();
  await scheduler.runFor(2000 + random.next() * 3000);

  // The broker leading the most partitions of the topic (ties: the lowest id), or the group's coordinator, crashes.
  const leads = (id: number) => Array.from({ length: partitions }, (_, p) => p).filter((p) => registration(p).leader === id);
  const victim = random.next() < 0.3 ? coordinator : [1, 2, 3].sort((a, b) => leads(b).length - leads(a).length || a - b)[0];
  const preferredOf = Array.from({ length: partitions }, (_, p) => p).filter((p) => registration(p).replicas[0] === victim);
  note(`kill broker ${victim} (leads [${leads(victim)}], preferred for [${preferredOf}]; coordinator ${coordinator})`);
  cluster.killBroker(victim);
  // Restarted at once (before the controller fences the old incarnation: the new one answers
  // requests while it waits to register and catches up), or after its leaderships moved.
  const quickRestart = random.next() < 0.5;
  if (!quickRestart) await scheduler.runUntilTrue(() => leads(victim).length === 0, 60_000, `broker ${victim}'s leaderships move`).catch(fail);
  await scheduler.runFor(random.next() * (quickRestart ? 2500 : 8000));
  note(`restart broker ${victim}`);
  await cluster.startBroker(victim);
  await scheduler.runUntilTrue(() => leads(victim).length === 0, 60_000, `broker ${victim}'s leaderships move`).catch(fail);
  await scheduler.runUntilTrue(() => preferredOf.every((p) => registration(p).isr.includes(victim)), 60_000, `broker ${victim} back in the ISR`).catch(fail);
  note(`broker ${victim} back in the ISR`);
  await scheduler.runFor(random.next() * 3000);
  if (election === 'request') {
    // kafka-leader-election.sh --election-type preferred --all-topic-partitions (as playground.electPreferredLeaders)
    const via = [1, 2, 3].find((id) => id !== victim)!;
    const response = await scheduler.await(cluster.brokers.get(via)!.server!.rpc.request(`broker-${via}`, 'ElectLeaders', { electionType: 0, topicPartitions: null, timeoutMs: 5000 }, { timeoutMs: 10_000 }));
    note(`ElectLeaders: ${JSON.stringify(response.replicaElectionResults.map((r) => r.partitionResult.map((p) => `${p.partitionId}:${p.errorCode}`)))}`);
  }
  await scheduler.runUntilTrue(() => preferredOf.every((p) => registration(p).leader === victim), 60_000, `broker ${victim} leads its preferred partitions again`).catch(fail);
  const electedAt = scheduler.now;
  note(`broker ${victim} leads [${leads(victim)}] again`);

  // As the e2e spec: 60 records in sends of 10 right after the election, while the steady writes go on a little.
  const burst = (async () => {
    for (let i = 0; i < 60; i += 10) await send(Array.from({ length: 10 }, (_, j) => `b${i + j}`), (value) => `key-${value}`);
  })();
  await scheduler.runFor(random.next() * 4000);
  producing = false;
  await scheduler.await(Promise.all([produceLoop, burst]), 120_000, 'the producer stops');
  note(`last produce: ${ackedAt.size} acknowledged, ${[...ackedAt.keys()].filter((k) => consumedAt.has(k)).length} consumed so far`);
  const missing = () => [...ackedAt.keys()].filter((k) => !consumedAt.has(k));
  await scheduler.runUntilTrue(() => missing().length === 0, 30_000, 'every acknowledged record consumed').catch(() => undefined);

  const failures: string[] = [];
  const late = missing();
  if (late.length > 0) failures.push(`${late.length} of ${ackedAt.size} acknowledged records not consumed within 30 s of the last produce: ${late.slice(0, 12).join(', ')}`);
  const slow = [...ackedAt].filter(([key, at]) => at >= electedAt && consumedAt.has(key) && consumedAt.get(key)! - at > LATENCY_BOUND_MS);
  if (slow.length > 0) failures.push(`${slow.length} records acknowledged after the election took over ${LATENCY_BOUND_MS} ms to be consumed: ${slow.slice(0, 12).map(([key, at]) => `${key} (${Math.round(consumedAt.get(key)! - at)} ms)`).join(', ')}`);
  if (process.env.SIM_LOG) console.log([`seed ${seed} (${election})`, ...failures, ...log].join('\n'));
  for (const m of members) await scheduler.await(m.stop(), 60_000, `${m.name} stops`);
  return { acked: ackedAt.size, report: failures.length > 0 ? [...failures, ...log] : [] };
}

describe('consumers through a broker crash, its restart and a preferred leader election', () => {
  for (const election of ['request', 'auto'] as const) {
    for (const seed of seeds) {
      it(`${election === 'request' ? 'ElectLeaders' : 'auto.leader.rebalance'}, seed ${seed}`, async () => {
        const result = await runFailover(seed, election);
        expect(result.acked, `seed ${seed}`).toBeGreaterThan(60);
        expect(result.report, `seed ${seed} (replay: SIM_SEED=${seed})`).toEqual([]);
      }, 120_000);
    }
  }
});
