import { expect, test, type Page } from '@playwright/test';
import { freshCluster, waitForBrokersRunning } from './helpers';

/** One partition of `cluster.describe()`, as a test reads it. */
function partition(page: Page, topic: string, index = 0) {
  return page.evaluate(([t, i]) => {
    const p = window.playground.cluster.describe().topics.find((x) => x.name === t)!.partitions[i];
    return { leader: p.leader, leaderEpoch: p.leaderEpoch, replicas: p.replicas, isr: [...p.isr].sort(), state: p.state, highWatermark: p.highWatermark, minInsyncReplicas: p.minInsyncReplicas, racks: p.replicaDetails.map((r) => r.rack) };
  }, [topic, index] as const);
}

async function createTopic(page: Page, topic: string, numPartitions: number): Promise<void> {
  await page.evaluate(async ([name, partitions]) => {
    const admin = window.playground.kafka({ clientId: 'e2e-admin' }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: name, numPartitions: partitions, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }] });
    await admin.disconnect();
  }, [topic, numPartitions] as const);
  // Every replica in the ISR before the faults start.
  // The page learns of the topic from the controller's metadata records a frame or two later.
  await expect.poll(() => page.evaluate((t) => window.playground.cluster.describe().topics.find((x) => x.name === t)?.partitions[0]?.isr.length ?? 0, topic), { timeout: 30_000 }).toBe(3);
}

interface ProducerLoop { acked: string[]; errors: string[]; stop: boolean; done: Promise<void> }
interface Reader { values: string[]; disconnect: () => Promise<void> }
declare global {
  interface Window { e2eLoop?: ProducerLoop; e2eReader?: Reader }
}

test('with RF=3 and min.insync.replicas=2, killing the leader while producing with acks=all loses no acknowledged record', async ({ page }) => {
  test.setTimeout(150_000);
  await freshCluster(page, { running: true });
  await createTopic(page, 'failover', 3);
  const before = await partition(page, 'failover');
  expect(before).toMatchObject({ state: 'online', minInsyncReplicas: 2 });
  // Rack-aware placement: three replicas on three racks.
  expect(new Set(before.racks).size).toBe(3);

  // The reader joins its group now: once a broker is down, __consumer_offsets could not be created
  // (offsets.topic.replication.factor=3 live brokers, as Kafka requires), so no group could form.
  await page.evaluate(async () => {
    const consumer = window.playground.kafka({ clientId: 'e2e-reader' }).consumer({ groupId: 'e2e-failover-reader' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'failover', fromBeginning: true });
    const values: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => { values.push(message.value!.toString()); } });
    window.e2eReader = { values, disconnect: () => consumer.disconnect() };
  });

  // An idempotent producer writes one keyed record after another with acks=all, in the background.
  await page.evaluate(() => {
    const loop: ProducerLoop = { acked: [], errors: [], stop: false, done: Promise.resolve() };
    window.e2eLoop = loop;
    loop.done = (async () => {
      const producer = window.playground.kafka({ clientId: 'e2e-failover' }).producer({ idempotent: true, allowAutoTopicCreation: false });
      await producer.connect();
      for (let i = 0; !loop.stop; i++) {
        const value = `value-${i}`;
        try {
          await producer.send({ topic: 'failover', acks: -1, messages: [{ key: `key-${i % 7}`, value }] });
          loop.acked.push(value);
        } catch (error) {
          loop.errors.push((error as { type?: string }).type ?? String(error));
        }
      }
      await producer.disconnect();
    })();
  });
  await expect.poll(() => page.evaluate(() => window.e2eLoop!.acked.length), { timeout: 30_000 }).toBeGreaterThanOrEqual(30);

  const victim = before.leader;
  await page.evaluate((id) => window.playground.cluster.killBroker(id), victim);
  // broker.session.timeout.ms later the controller fences it and elects a new leader from the ISR.
  await expect.poll(async () => {
    const p = await partition(page, 'failover');
    return p.leader >= 0 && p.leader !== victim && p.leaderEpoch > before.leaderEpoch && !p.isr.includes(victim);
  }, { timeout: 30_000 }).toBe(true);
  const ackedAtElection = await page.evaluate(() => window.e2eLoop!.acked.length);
  await expect.poll(() => page.evaluate(() => window.e2eLoop!.acked.length), { timeout: 30_000 }).toBeGreaterThanOrEqual(ackedAtElection + 30);
  const { acked, errors } = await page.evaluate(async () => {
    const loop = window.e2eLoop!;
    loop.stop = true;
    await loop.done;
    return { acked: loop.acked, errors: loop.errors };
  });

  // The UI names the steps: the broker fenced, the new leader with its epoch (amid the appends,
  // so filtered to the failover's steps).
  await page.getByLabel('failover steps only').check();
  await expect(page.getByText(`fenced broker ${victim}: wrote FenceBrokerRecord`).first()).toBeVisible();
  await expect(page.getByText(/elected broker \d leader of failover-0 at leader epoch \d+/).first()).toBeVisible();
  await expect(page.locator('[data-partition="failover-0"] .pstate')).toHaveText('under-replicated');

  // The consumer follows the new leader and reads every acknowledged record.
  const read = await page.evaluate(async (expected) => {
    const { values, disconnect } = window.e2eReader!;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !expected.every((v) => values.includes(v))) await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 500));
    await disconnect();
    return values;
  }, acked);
  const missing = acked.filter((v) => !read.includes(v));
  expect(missing, `acknowledged but not read back; producer errors: ${errors.join(', ')}`).toEqual([]);
  // Idempotence: a retry across the failover did not write a record twice.
  expect(read.length - new Set(read).size).toBe(0);
});

test('with two of three brokers down a write with acks=all fails with NOT_ENOUGH_REPLICAS; restarted, they rejoin the ISR', async ({ page }) => {
  test.setTimeout(150_000);
  await freshCluster(page, { running: true });
  await createTopic(page, 'guarded', 1);
  const before = await partition(page, 'guarded');
  // Kill the leader and one follower: the last replica is left to lead alone.
  const survivor = before.replicas[2];
  const victims = before.replicas.filter((id) => id !== survivor);
  for (const id of victims) await page.evaluate((b) => window.playground.cluster.killBroker(b), id);

  // The controller fences both and shrinks the ISR to the survivor: fewer than min.insync.replicas.
  await expect.poll(async () => {
    const p = await partition(page, 'guarded');
    return `${p.leader} ${p.isr.join(',')} ${p.state}`;
  }, { timeout: 30_000 }).toBe(`${survivor} ${survivor} under-min-isr`);
  await expect(page.locator('[data-partition="guarded-0"] .pstate')).toHaveText('under min ISR');
  await expect(page.locator('[data-partition="guarded-0"] .replica-cell.is-down')).toHaveCount(2);

  const error = await page.evaluate(async () => {
    const producer = window.playground.kafka({ clientId: 'e2e-guarded' }).producer({ retry: { retries: 0 } });
    await producer.connect();
    try {
      await producer.send({ topic: 'guarded', acks: -1, messages: [{ value: 'needs two copies' }] });
      return 'acknowledged';
    } catch (e) {
      return (e as { type?: string }).type ?? String(e);
    } finally {
      await producer.disconnect();
    }
  });
  expect(error).toBe('NOT_ENOUGH_REPLICAS');
  await expect(page.locator('.step-tag', { hasText: 'NOT_ENOUGH_REPLICAS' }).first()).toBeVisible();

  // The same through the form: the error's Kafka name is shown (after the producer's retries run out).
  const form = page.getByRole('region', { name: 'Produce a record' });
  await form.getByLabel('Topic').selectOption('guarded');
  await form.getByRole('button', { name: 'Send' }).click();
  await expect(form.locator('.error-type')).toHaveText('NOT_ENOUGH_REPLICAS', { timeout: 60_000 });

  await page.evaluate((ids) => Promise.all(ids.map((id) => window.playground.cluster.restartBroker(id))), victims);
  await waitForBrokersRunning(page);
  // They recover from IndexedDB, catch up as followers, and the leader expands the ISR (AlterPartition).
  await expect.poll(async () => {
    const p = await partition(page, 'guarded');
    return `${p.isr.join(',')} ${p.state}`;
  }, { timeout: 45_000 }).toBe('1,2,3 online');
  await expect(page.locator('[data-partition="guarded-0"] .cell-isr.yes')).toHaveCount(3);
  await expect(page.locator('[data-partition="guarded-0"] .pstate')).toHaveText('online');
  await expect(page.locator('.step-tag', { hasText: /^ISR expand$/ }).first()).toBeVisible();

  // Leadership stayed on the survivor (unless auto.leader.rebalance.enable got there first): the
  // preferred leader election puts it back on the first replica.
  await page.getByRole('button', { name: 'Preferred leader election' }).click();
  await expect(page.locator('.election-result .result.ok')).toBeVisible({ timeout: 15_000 });
  await expect.poll(async () => (await partition(page, 'guarded')).leader, { timeout: 15_000 }).toBe(before.replicas[0]);
});
