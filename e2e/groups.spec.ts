import { expect, test, type Page } from '@playwright/test';
import type { ClusterEvent } from '../src/cluster/events';
import { freshCluster } from './helpers';

/**
 * Consumer groups that rebalance for real: consumer applications in their own Web Workers,
 * a crashed one noticed by session.timeout.ms, and a group that survives its coordinator.
 */

// Kafka's group.min.session.timeout.ms, so a crash is noticed quickly.
const SESSION_TIMEOUT = 6000;
const HEARTBEAT_INTERVAL = 1000;

type ProcessedEvent = Extract<ClusterEvent, { type: 'consumer-processed' }>;
declare global {
  interface Window { e2eProcessed?: ProcessedEvent[] }
}

async function createTopic(page: Page, topic: string, numPartitions: number): Promise<void> {
  await page.evaluate(async ([name, partitions]) => {
    const admin = window.playground.kafka({ clientId: 'e2e-admin' }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: name, numPartitions: partitions, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }] });
    await admin.disconnect();
  }, [topic, numPartitions] as const);
  await expect.poll(() => page.evaluate(([t, n]) => {
    const partitions = window.playground.cluster.describe().topics.find((x) => x.name === t)?.partitions ?? [];
    return partitions.length === n && partitions.every((p) => p.leader >= 0);
  }, [topic, numPartitions] as const), { timeout: 30_000 }).toBe(true);
}

/** Keeps every consumer-processed range the page receives (describe() keeps only counts). */
async function recordProcessed(page: Page): Promise<void> {
  await page.evaluate(() => {
    const kept: ProcessedEvent[] = [];
    window.e2eProcessed = kept;
    window.playground.cluster.onEvents((events) => {
      for (const e of events) if (e.type === 'consumer-processed') kept.push(e);
    });
  });
}

async function startConsumers(page: Page, count: number, options: Record<string, unknown>): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    ids.push(await page.evaluate((o) => window.playground.cluster.startConsumer(o as never), options));
  }
  return ids;
}

/** The group as describe() shows it: state, coordinator, each member (by its application id: clientHost is "/consumer-1", as Kafka writes "/10.0.0.7") with its partitions, and the offsets. */
function group(page: Page, groupId: string) {
  return page.evaluate((id) => {
    const g = window.playground.cluster.describe().groups.find((x) => x.groupId === id);
    if (!g) return null;
    const partitions = (m: (typeof g.members)[number]) => m.assignment.flatMap((a) => a.partitions.map((p) => `${a.topic}-${p}`));
    return {
      state: g.state, generationId: g.generationId, coordinator: g.coordinator,
      members: g.members.map((m) => ({ client: m.clientHost.replace(/^\//, ''), partitions: partitions(m).sort() })).sort((a, b) => a.client.localeCompare(b.client)),
      offsets: g.offsets.map((o) => ({ partition: o.partition, committed: o.committed, logEndOffset: o.logEndOffset })),
    };
  }, groupId);
}

/** "Stable 2,2,2": the state and each member's number of partitions, when every partition has one owner. */
async function shape(page: Page, groupId: string, numPartitions: number): Promise<string> {
  const g = await group(page, groupId);
  if (!g) return 'no group';
  const owned = g.members.flatMap((m) => m.partitions);
  const counts = g.members.map((m) => m.partitions.length).sort().join(',');
  const exact = owned.length === numPartitions && new Set(owned).size === numPartitions;
  return `${g.state} ${counts}${exact ? '' : ' (not every partition owned once)'}`;
}

test('6 partitions and 3 consumers get 2 each; a crashed consumer\'s partitions go to the other two within session.timeout.ms', async ({ page }) => {
  test.setTimeout(120_000);
  await freshCluster(page, { running: true });
  await createTopic(page, 'orders', 6);
  const ids = await startConsumers(page, 3, { groupId: 'billing', topics: ['orders'], sessionTimeout: SESSION_TIMEOUT, heartbeatInterval: HEARTBEAT_INTERVAL });
  expect(ids).toEqual(['consumer-1', 'consumer-2', 'consumer-3']);

  await expect.poll(() => shape(page, 'billing', 6), { timeout: 30_000 }).toBe('Stable 2,2,2');
  const before = (await group(page, 'billing'))!;
  expect(before.members.map((m) => m.client)).toEqual(ids);

  // kill -9 of the application: no LeaveGroup, the coordinator notices when its session expires.
  const victim = ids[1];
  await page.evaluate((id) => window.playground.cluster.killClient(id), victim);
  await expect.poll(() => page.evaluate((id) => window.playground.cluster.describe().clients.find((c) => c.id === id)?.status, victim)).toBe('killed');
  await expect.poll(() => shape(page, 'billing', 6), { timeout: SESSION_TIMEOUT + 8000 }).toBe('Stable 3,3');
  const after = (await group(page, 'billing'))!;
  expect(after.generationId).toBeGreaterThan(before.generationId);
  expect(after.members.map((m) => m.client)).toEqual([ids[0], ids[2]]);
  await page.evaluate(async (list) => { for (const id of list) await window.playground.cluster.stopClient(id); }, [ids[0], ids[2]]);
});

test('the group survives its coordinator\'s broker: it goes on from its committed offsets and no record is skipped', async ({ page }) => {
  test.setTimeout(150_000);
  await freshCluster(page, { running: true });
  await createTopic(page, 'payments', 3);
  await recordProcessed(page);
  const produce = (from: number, count: number) => page.evaluate(async ([start, n]) => {
    const producer = window.playground.kafka({ clientId: 'e2e-producer' }).producer({ idempotent: true });
    await producer.connect();
    for (let i = start; i < start + n; i += 10) {
      await producer.send({ topic: 'payments', acks: -1, messages: Array.from({ length: 10 }, (_, j) => ({ key: `key-${i + j}`, value: `payment-${i + j}` })) });
    }
    await producer.disconnect();
  }, [from, count] as const);
  await produce(0, 90);

  // Slow handlers, so the coordinator dies with records still to go; commits every 500 ms.
  const ids = await startConsumers(page, 2, {
    groupId: 'ledger', topics: ['payments'], sessionTimeout: SESSION_TIMEOUT, heartbeatInterval: HEARTBEAT_INTERVAL,
    autoCommitInterval: 500, processingDelayMs: 20,
  });
  await expect.poll(() => shape(page, 'ledger', 3), { timeout: 30_000 }).toMatch(/^Stable (1,2|2,1)$/);
  // Some offsets committed to the coordinator before it dies.
  await expect.poll(async () => (await group(page, 'ledger'))!.offsets.some((o) => (o.committed ?? 0) > 0), { timeout: 30_000 }).toBe(true);
  const coordinator = (await group(page, 'ledger'))!.coordinator!;
  expect(coordinator).toBeGreaterThanOrEqual(1);

  await page.evaluate((id) => window.playground.cluster.killBroker(id), coordinator);
  // The new leader of the group's __consumer_offsets partition loads the group from the log.
  await expect.poll(async () => {
    const g = await group(page, 'ledger');
    return g !== null && g.coordinator !== coordinator && g.coordinator !== null && g.state === 'Stable';
  }, { timeout: 45_000 }).toBe(true);
  await produce(90, 60);

  // One member leaves cleanly (it commits, then LeaveGroup): the other takes its partitions and
  // starts them at the offsets the group committed, read from the new coordinator.
  const handedOver = (await group(page, 'ledger'))!.members.find((m) => m.client === ids[0])!.partitions.map((p) => Number(p.split('-').pop()));
  expect(handedOver.length).toBeGreaterThan(0);
  await page.evaluate((id) => window.playground.cluster.stopClient(id), ids[0]);
  await expect.poll(() => shape(page, 'ledger', 3), { timeout: 30_000 }).toBe('Stable 3');
  await produce(150, 30);

  // Every offset of every partition processed by some member: nothing skipped (at least once).
  // The high watermarks as the leaders report them (their events reach the page a moment after the acks).
  const highWatermarks = () => page.evaluate(() => window.playground.cluster.describe().topics.find((t) => t.name === 'payments')!.partitions.map((p) => p.highWatermark));
  await expect.poll(async () => (await highWatermarks()).reduce((a, b) => a + b, 0), { timeout: 10_000 }).toBe(180);
  const ends = await highWatermarks();
  const missing = () => page.evaluate((highWatermarks) => {
    const gaps: string[] = [];
    highWatermarks.forEach((end, partition) => {
      const seen = new Set<number>();
      for (const e of window.e2eProcessed!) if (e.topic === 'payments' && e.partition === partition) for (let o = e.firstOffset; o <= e.lastOffset; o++) seen.add(o);
      const absent = Array.from({ length: end }, (_, o) => o).filter((o) => !seen.has(o));
      if (absent.length > 0) gaps.push(`payments-${partition}: ${absent.length} of ${end} offsets not processed, first ${absent[0]}`);
    });
    return gaps;
  }, ends);
  await expect.poll(missing, { timeout: 60_000 }).toEqual([]);

  // On the partitions handed over, the survivor went on from the committed offsets: not from the
  // beginning (fromBeginning applies only without one), and not past where the leaver stopped.
  const resumed = await page.evaluate(([leaver, partitions]) => partitions.map((partition) => {
    const runs = window.e2eProcessed!.filter((e) => e.topic === 'payments' && e.partition === partition);
    const byLeaver = runs.filter((e) => e.node === leaver);
    const leftAt = Math.max(...byLeaver.map((e) => e.time));
    const after = runs.filter((e) => e.node !== leaver && e.time > leftAt);
    return { partition, lastByLeaver: Math.max(-1, ...byLeaver.map((e) => e.lastOffset)), resumedAt: after.length > 0 ? Math.min(...after.map((e) => e.firstOffset)) : null };
  }), [ids[0], handedOver] as const);
  // A partition the leaver got in a late rebalance may have had nothing new for it before it left: those prove nothing here.
  const worked = resumed.filter((r) => r.lastByLeaver >= 0);
  expect(worked.length, `the leaver processed nothing on ${handedOver.join(', ')}`).toBeGreaterThan(0);
  for (const r of worked) {
    const what = `payments-${r.partition} (the leaver processed up to ${r.lastByLeaver})`;
    expect(r.resumedAt, what).not.toBeNull();
    expect(r.resumedAt!, what).toBeGreaterThan(0);
    expect(r.resumedAt!, what).toBeLessThanOrEqual(r.lastByLeaver + 1);
  }
  // And the group's committed offsets reach the log end, at the new coordinator.
  await expect.poll(async () => (await group(page, 'ledger'))!.offsets.map((o) => `${o.partition}:${o.committed}/${o.logEndOffset}`).join(' '), { timeout: 30_000 })
    .toBe(ends.map((end, p) => `${p}:${end}/${end}`).join(' '));
  await page.evaluate((id) => window.playground.cluster.stopClient(id), ids[1]);
});
