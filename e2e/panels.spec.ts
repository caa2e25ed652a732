import { expect, test, type Page } from '@playwright/test';
import { freshCluster } from './helpers';

/**
 * The panels: topics as kafka-topics.sh --describe, the message browser (records read back by
 * Fetch, seek by offset), a JMX metric while producing, and the event timeline's node filter and
 * selection.
 */

const TOPIC = 'browse';

async function createTopic(page: Page): Promise<void> {
  await page.evaluate(async (name) => {
    const admin = window.playground.kafka({ clientId: 'e2e-admin' }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: name, numPartitions: 2, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }] });
    await admin.disconnect();
  }, TOPIC);
  await expect.poll(() => page.evaluate((t) => {
    const partitions = window.playground.cluster.describe().topics.find((x) => x.name === t)?.partitions ?? [];
    return partitions.length === 2 && partitions.every((p) => p.leader >= 0);
  }, TOPIC), { timeout: 30_000 }).toBe(true);
}

/** `count` keyed records to partition 0, in batches of 10 (so batches show), acks=all. */
async function produce(page: Page, count: number): Promise<void> {
  await page.evaluate(async ([topic, n]) => {
    const producer = window.playground.kafka({ clientId: 'e2e-panels' }).producer({ idempotent: true });
    await producer.connect();
    for (let i = 0; i < n; i += 10) {
      const messages = Array.from({ length: Math.min(10, n - i) }, (_, j) => ({ partition: 0, key: `key-${i + j}`, value: `value-${i + j}`, headers: { n: String(i + j) } }));
      await producer.send({ topic, acks: -1, messages });
    }
    await producer.disconnect();
  }, [TOPIC, count] as const);
}

test('panels: topics, message browser, metrics and the event timeline', async ({ page }) => {
  await freshCluster(page, { running: true });
  await createTopic(page);
  await produce(page, 60);
  const described = await page.evaluate((t) => window.playground.cluster.describe().topics.find((x) => x.name === t)!.partitions[0], TOPIC);

  await test.step('topics panel: kafka-topics.sh --describe columns with the offsets', async () => {
    const topics = page.getByRole('region', { name: 'Topics and replicas' });
    for (const column of ['Topic', 'Partition', 'Leader', 'Replicas', 'Isr', 'Log start', 'High watermark', 'Log end']) {
      await expect(topics.getByRole('columnheader', { name: column, exact: true })).toBeVisible();
    }
    const row = topics.locator(`tr[data-partition="${TOPIC}-0"]`);
    await expect(row.locator('td').nth(1)).toContainText(String(described.leader));
    await expect(row.locator('td').nth(2)).toHaveText(described.replicas.join(','));
    await expect(row.locator('td').nth(3)).toContainText(described.isr.join(','));
    // Log start, high watermark, log end.
    await expect(row.locator('td').nth(4)).toHaveText('0');
    await expect(row.locator('td').nth(5)).toHaveText('60');
    await expect(row.locator('td').nth(6)).toHaveText('60');
    const topicCell = topics.locator('th.topic-name', { hasText: TOPIC });
    await expect(topicCell.locator('[data-count="under-replicated"]')).toHaveText('0');
    await expect(topicCell.locator('[data-count="offline"]')).toHaveText('0');
  });

  const browser = page.getByRole('region', { name: 'Message browser' });
  await test.step('message browser: the records of a partition, and seek', async () => {
    await browser.getByLabel('Topic', { exact: true }).selectOption(TOPIC);
    await browser.getByLabel('Partition', { exact: true }).selectOption('0');
    const table = browser.getByRole('table', { name: `Records of ${TOPIC}-0` });
    await expect(browser.getByText('high watermark 60')).toBeVisible();
    // Live tail: the end of the partition shows.
    const last = table.locator('[data-offset="59"]');
    await expect(last).toContainText('key-59');
    await expect(last).toContainText('value-59');
    await expect(last).toContainText('n=59');
    // Batches of ten: 50..59 is one, written by an idempotent producer (base sequence 50).
    await expect(table.locator('[data-offset="50"]')).toContainText('50..59');
    await expect(table.locator('[data-offset="50"] .mb-producer')).toHaveText(/ \/ 0 \/ 50$/);

    await browser.getByLabel('Offset', { exact: true }).fill('17');
    await browser.getByRole('button', { name: 'Seek' }).click();
    const sought = table.locator('[data-offset="17"]');
    await expect(sought).toContainText('value-17');
    await expect(sought).toHaveClass(/is-sought/);
    await expect(browser.getByRole('button', { name: /Live tail/ })).toHaveAttribute('aria-pressed', 'false');
    // It is the first row in view.
    const scroller = browser.locator('.mb-scroll');
    await expect.poll(async () => {
      const [row, box] = await Promise.all([sought.boundingBox(), scroller.boundingBox()]);
      return row && box ? Math.round(row.y - box.y) : null;
    }).toBe(0);
  });

  await test.step('message browser: records deleted below an offset (kafka-delete-records.sh) leave every view; past the high watermark is refused', async () => {
    await browser.getByLabel('Delete records below offset').fill('1000');
    await browser.getByRole('button', { name: 'Delete records' }).click();
    await expect(browser.getByRole('alert')).toContainText('OFFSET_OUT_OF_RANGE');
    await expect(browser.getByText('log start offset 0')).toBeVisible();

    await browser.getByLabel('Delete records below offset').fill('25');
    await browser.getByRole('button', { name: 'Delete records' }).click();
    await expect(browser.getByRole('status').filter({ hasText: 'Deleted the records' })).toContainText(`${TOPIC}-0 below offset 25`);
    await expect(browser.getByText('log start offset 25')).toBeVisible();
    await expect(browser.getByText('35 records readable')).toBeVisible();
    const topics = page.getByRole('region', { name: 'Topics and replicas' });
    await expect(topics.locator(`tr[data-partition="${TOPIC}-0"] td`).nth(4)).toHaveText('25');
    // Seeking below the log start is out of range now.
    await browser.getByLabel('Offset', { exact: true }).fill('17');
    await browser.getByRole('button', { name: 'Seek' }).click();
    await expect(browser.getByRole('alert')).toContainText('OFFSET_OUT_OF_RANGE: 17 is outside [25, 60)');
    // The followers follow the leader's log start on their next fetch.
    await expect.poll(() => page.evaluate((t) => window.playground.cluster.describe().topics.find((x) => x.name === t)!.partitions[0].replicaDetails.map((r) => r.logStartOffset), TOPIC), { timeout: 15_000 })
      .toEqual([25, 25, 25]);
  });

  await test.step('metrics: MessagesInPerSec is non-zero while producing', async () => {
    const producing = page.evaluate(async (topic) => {
      const producer = window.playground.kafka({ clientId: 'e2e-metrics' }).producer();
      await producer.connect();
      for (let i = 0; i < 40; i++) {
        await producer.send({ topic, acks: 1, messages: [{ value: `tick-${i}` }] });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await producer.disconnect();
    }, TOPIC);
    const metric = page.getByRole('listitem', { name: 'MessagesInPerSec' });
    await expect(metric.getByText('kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec')).toBeVisible();
    await expect.poll(async () => Number(await metric.getByLabel('MessagesInPerSec value').textContent()), { timeout: 10_000 }).toBeGreaterThan(0);
    await producing;
  });

  const log = page.getByRole('region', { name: 'Cluster events' });
  await test.step('event timeline: a node filter shows only events that touched it', async () => {
    await log.getByLabel('Filter events by node').selectOption('broker-2');
    const rows = log.locator('tbody tr[data-nodes]');
    await expect(rows.first()).toBeVisible();
    const nodes = await rows.evaluateAll((list) => list.map((r) => r.getAttribute('data-nodes') ?? ''));
    expect(nodes.length).toBeGreaterThan(0);
    for (const n of nodes) expect(n.split(' ')).toContain('broker-2');
  });

  await test.step('event timeline: clicking an event marks it selected; Escape clears', async () => {
    await log.getByRole('button', { name: 'Pause' }).click();
    const row = log.locator('tbody tr[data-nodes]').first();
    const pick = row.getByRole('button', { name: /^Select event at/ });
    await pick.click();
    await expect(pick).toHaveAttribute('aria-pressed', 'true');
    await expect(row).toHaveClass(/is-selected/);
    await expect(log.getByRole('status')).toContainText('Selected:');
    await page.keyboard.press('Escape');
    await expect(pick).toHaveAttribute('aria-pressed', 'false');
    await expect(row).not.toHaveClass(/is-selected/);
  });
});
