import { expect, test } from '@playwright/test';
import { freshCluster, waitForBrokersRunning } from './helpers';

test('500 keyed records survive a broker crash and a page reload', async ({ page }) => {
  test.setTimeout(120_000);
  await freshCluster(page);
  const produced = await page.evaluate(async () => {
    const kafka = window.playground.kafka({ clientId: 'e2e' });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'e2e-orders', numPartitions: 3, replicationFactor: 3 }] });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const acked: Record<string, string> = {};
    for (let batch = 0; batch < 10; batch++) {
      const messages = Array.from({ length: 50 }, (_, i) => ({ key: `key-${(batch * 50 + i) % 17}`, value: `value-${batch * 50 + i}` }));
      const results = await producer.send({ topic: 'e2e-orders', acks: -1, messages });
      for (const r of results) acked[`${r.partition}`] = String(r.baseOffset);
    }
    await producer.disconnect();
    return (await admin.fetchTopicOffsets('e2e-orders')).reduce((sum, p) => sum + Number(p.high), 0);
  });
  expect(produced).toBe(500);

  // A crash, no goodbye: the worker is terminated. Then it restarts and recovers from IndexedDB.
  await page.evaluate(() => window.playground.cluster.killBroker(2));
  await expect.poll(() => page.evaluate(() => window.playground.cluster.describe().brokers.find((b) => b.id === 2)!.alive)).toBe(false);
  await page.evaluate(() => window.playground.cluster.restartBroker(2));
  await waitForBrokersRunning(page);

  await page.reload();
  await page.evaluate(() => window.playground.ready);
  await waitForBrokersRunning(page);
  const read = await page.evaluate(async () => {
    const kafka = window.playground.kafka({ clientId: 'e2e-reader' });
    const consumer = kafka.consumer({ groupId: 'e2e-reader' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'e2e-orders', fromBeginning: true });
    const values = new Set<string>();
    const keyOf = new Map<string, string>();
    await consumer.run({ eachMessage: async ({ message }) => { values.add(message.value!.toString()); keyOf.set(message.value!.toString(), message.key!.toString()); } });
    const deadline = Date.now() + 30_000;
    while (values.size < 500 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await consumer.disconnect();
    const wrongKeys = [...keyOf].filter(([value, key]) => key !== `key-${Number(value.slice('value-'.length)) % 17}`).length;
    return { count: values.size, wrongKeys };
  });
  expect(read).toEqual({ count: 500, wrongKeys: 0 });
});

test('clicking Kill on a broker crashes it, and Restart brings it back', async ({ page }) => {
  test.setTimeout(90_000);
  await freshCluster(page);
  await waitForBrokersRunning(page);
  await page.getByRole('button', { name: 'Kill broker 3' }).click();
  await expect.poll(() => page.evaluate(() => window.playground.cluster.describe().brokers.find((b) => b.id === 3)!.alive)).toBe(false);
  // The controller fences it once broker.session.timeout.ms passes without a heartbeat.
  await expect.poll(() => page.evaluate(() => window.playground.cluster.describe().brokers.find((b) => b.id === 3)!.fenced), { timeout: 30_000 }).toBe(true);
  await page.getByRole('button', { name: 'Restart broker 3' }).click();
  await waitForBrokersRunning(page);
});

test('bad input gets Kafka\'s error names and harms nothing', async ({ page }) => {
  await freshCluster(page);
  const errors = await page.evaluate(async () => {
    const admin = window.playground.kafka().admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'keep', numPartitions: 1, replicationFactor: 1 }] });
    const attempt = async (fn: () => Promise<unknown>) => {
      try {
        await fn();
        return 'no error';
      } catch (error) {
        return (error as { type?: string }).type ?? String(error);
      }
    };
    const kafka = window.playground.kafka();
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    return {
      rf: await attempt(() => admin.createTopics({ topics: [{ topic: 'x', numPartitions: 1, replicationFactor: 5 }] })),
      partitions: await attempt(() => admin.createTopics({ topics: [{ topic: 'y', numPartitions: 0, replicationFactor: 1 }] })),
      name: await attempt(() => admin.createTopics({ topics: [{ topic: 'no spaces', numPartitions: 1, replicationFactor: 1 }] })),
      exists: await admin.createTopics({ topics: [{ topic: 'keep', numPartitions: 4, replicationFactor: 1 }] }),
      unknown: await attempt(() => producer.send({ topic: 'missing', messages: [{ value: 'v' }] })),
      topics: (await admin.listTopics()).sort(),
    };
  });
  expect(errors).toEqual({
    rf: 'INVALID_REPLICATION_FACTOR', partitions: 'INVALID_PARTITIONS', name: 'INVALID_TOPIC_EXCEPTION',
    exists: false, unknown: 'UNKNOWN_TOPIC_OR_PARTITION', topics: ['keep'],
  });
  const keep = await page.evaluate(() => window.playground.cluster.describe().topics.find((t) => t.name === 'keep')!.partitions.length);
  expect(keep).toBe(1);
});

test('a second tab does not start a second copy of the cluster, and can take it over with the data intact', async ({ page, context }) => {
  test.setTimeout(90_000);
  await freshCluster(page);
  await page.evaluate(async () => {
    const admin = window.playground.kafka().admin();
    await admin.createTopics({ topics: [{ topic: 'first-tab', numPartitions: 2, replicationFactor: 2 }] });
    const producer = window.playground.kafka().producer();
    await producer.connect();
    await producer.send({ topic: 'first-tab', messages: [{ key: 'k', value: 'written by tab 1' }] });
  });

  const second = await context.newPage();
  await second.goto('./');
  await expect(second.getByText('This cluster is open in another tab')).toBeVisible();
  // The first tab still owns every node.
  expect(await page.evaluate(() => window.playground.cluster.describe().brokers.every((b) => b.alive))).toBe(true);

  await second.getByRole('button', { name: 'Take over here' }).click();
  await second.evaluate(() => window.playground.ready);
  await expect(page.getByText('Taken over by another tab')).toBeVisible();
  const value = await second.evaluate(async () => {
    const consumer = window.playground.kafka().consumer({ groupId: 'takeover-check' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'first-tab', fromBeginning: true });
    let seen = '';
    await consumer.run({ eachMessage: async ({ message }) => { seen = message.value!.toString(); } });
    const deadline = Date.now() + 30_000;
    while (!seen && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await consumer.disconnect();
    return seen;
  });
  expect(value).toBe('written by tab 1');
});

test('a batch corrupted on disk is caught by its CRC when the broker recovers, and the log is cut there', async ({ page }) => {
  test.setTimeout(90_000);
  await freshCluster(page);
  await page.evaluate(async () => {
    const kafka = window.playground.kafka();
    await kafka.admin().createTopics({ topics: [{ topic: 'fragile', replicaAssignment: [{ partition: 0, replicas: [1] }] }] });
    const producer = kafka.producer();
    await producer.connect();
    for (let i = 0; i < 5; i++) await producer.send({ topic: 'fragile', acks: 1, messages: [{ value: `record-${i}` }] });
  });
  await page.evaluate(() => window.playground.cluster.killBroker(1));

  // Flip one byte inside the records of the batch at offset 3, as a bad disk would.
  await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('kafka-playground:default:broker-1');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const store = db.transaction('batches', 'readwrite').objectStore('batches');
    const key = ['fragile-0', 3];
    const value = await new Promise<{ segmentBase: number; bytes: Uint8Array }>((resolve) => { store.get(key).onsuccess = (e) => resolve((e.target as IDBRequest).result); });
    value.bytes[value.bytes.length - 3] ^= 0xff;
    await new Promise((resolve) => { store.put(value, key).onsuccess = resolve; });
    db.close();
  });

  await page.evaluate(() => window.playground.cluster.restartBroker(1));
  await expect(page.getByText(/recovered fragile-0: 3 batches, log end offset 3; truncated at offset 3 \(CRC-32C mismatch/)).toBeVisible({ timeout: 30_000 });
  await waitForBrokersRunning(page);
  const values = await page.evaluate(async () => {
    const consumer = window.playground.kafka().consumer({ groupId: 'crc-check' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'fragile', fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => { seen.push(message.value!.toString()); } });
    const deadline = Date.now() + 20_000;
    while (seen.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 500));
    await consumer.disconnect();
    return seen;
  });
  expect(values).toEqual(['record-0', 'record-1', 'record-2']);
});
