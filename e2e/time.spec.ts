import { expect, test, type Page } from '@playwright/test';
import { freshCluster } from './helpers';

/**
 * Time for real: pause holds every message where it arrives, a step delivers exactly one, play
 * delivers again; producer applications in their own workers started, stopped and killed from
 * the page.
 */

/** The count the header shows: "· 1,234 messages delivered". */
async function delivered(page: Page): Promise<number> {
  const text = await page.getByText(/messages delivered/).textContent();
  return Number(/([\d,]+) messages delivered/.exec(text ?? '')?.[1].replace(/,/g, '') ?? NaN);
}

/** Waits until the delivered count has not moved for `quietMs`, and returns it. */
async function settled(page: Page, quietMs = 1000): Promise<number> {
  let last = await delivered(page);
  for (;;) {
    await page.waitForTimeout(quietMs);
    const now = await delivered(page);
    if (now === last) return now;
    last = now;
  }
}

const time = (page: Page) => page.getByRole('group', { name: 'Time' });

test('pause holds delivery, a step delivers exactly one message, play delivers again', async ({ page }) => {
  await freshCluster(page, { running: true });
  const controls = time(page);
  await expect(controls.getByRole('button', { name: 'Step one message' })).toBeDisabled();

  await controls.getByRole('button', { name: 'Pause' }).click();
  await expect(controls.getByRole('button', { name: 'Play' })).toBeVisible();
  await expect(controls.getByRole('status')).toContainText('Paused');
  expect(await page.evaluate(() => window.playground.cluster.isPaused())).toBe(true);

  // What was on its way when the pause came may still land; then nothing moves.
  const still = await settled(page);
  await page.waitForTimeout(2000);
  expect(await delivered(page)).toBe(still);

  // Something must be held to step it: a step with nothing held moves the clock 50 ms instead,
  // and the heartbeats and fetches then due are sent, and held.
  const step = controls.getByRole('button', { name: 'Step one message' });
  await expect(step).toBeEnabled();
  for (let i = 0; i < 100 && (await page.evaluate(() => window.playground.cluster.heldMessages())) === 0; i++) {
    await step.click();
    await expect(step).toBeEnabled();
  }
  const held = await page.evaluate(() => window.playground.cluster.heldMessages());
  expect(held).toBeGreaterThan(0);
  await expect(controls.getByRole('status')).toContainText(/Paused · \d+ messages? held/);

  const before = await settled(page, 500);
  await step.click();
  await expect.poll(() => delivered(page)).toBe(before + 1);
  // Exactly one: what its receiver sent in reaction is held in turn.
  await page.waitForTimeout(1500);
  expect(await delivered(page)).toBe(before + 1);

  await controls.getByRole('button', { name: 'Play' }).click();
  await expect(controls.getByRole('button', { name: 'Pause' })).toBeVisible();
  await expect.poll(() => delivered(page), { timeout: 10_000 }).toBeGreaterThan(before + 10);
  await expect(controls.getByRole('status')).toContainText('Playing at 1×');
});

test('speed and visual mode are stated and reach the cluster', async ({ page }) => {
  await freshCluster(page);
  const controls = time(page);
  await controls.getByRole('slider', { name: 'Speed' }).fill('1'); // 0.25×
  await expect(controls.getByText('Now 0.25×: Kafka\'s timeouts take 4× longer in wall time.')).toBeVisible();
  expect(await page.evaluate(() => window.playground.cluster.speed())).toBe(0.25);
  await controls.getByRole('checkbox', { name: 'Visual mode' }).check();
  await expect(controls.getByRole('status')).toContainText('Playing at 0.25× · 200 ms per hop');
  expect(await page.evaluate(() => window.playground.cluster.visualLatency())).toBe(200);
  await controls.getByRole('checkbox', { name: 'Visual mode' }).uncheck();
  await controls.getByRole('slider', { name: 'Speed' }).fill('3'); // 1×
  await expect(controls.getByRole('status')).toHaveText('Playing at 1×');
});

test('a producer application started from the panel produces; Stop ends it cleanly, Kill crashes another', async ({ page }) => {
  await freshCluster(page, { running: true });
  await page.evaluate(async () => {
    const admin = window.playground.kafka({ clientId: 'e2e-admin' }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'clicks', numPartitions: 3, replicationFactor: 3 }] });
    await admin.disconnect();
  });
  const highWatermark = () => page.evaluate(() => (window.playground.cluster.describe().topics.find((t) => t.name === 'clicks')?.partitions ?? [])
    .reduce((n, p) => n + Math.max(0, p.highWatermark), 0));
  await expect.poll(() => page.evaluate(() => window.playground.cluster.describe().topics.some((t) => t.name === 'clicks' && t.partitions.every((p) => p.leader >= 0))), { timeout: 30_000 }).toBe(true);

  const panel = page.getByRole('region', { name: 'Producer and consumer applications' });
  const form = panel.getByRole('form', { name: 'Start a producer' });
  await form.getByLabel('Topic').selectOption('clicks');
  await form.getByLabel('Records/s').fill('20');
  await form.getByLabel(/^Keys/).fill('alice, bob, carol');
  await form.getByRole('button', { name: 'Start producer' }).click();
  await expect(form.getByRole('status')).toContainText('Started producer-1');

  const list = panel.getByRole('list', { name: 'Client applications' });
  await expect(list.getByRole('listitem').filter({ hasText: 'producer-1' })).toContainText(/\d+ records? acknowledged/);
  await expect.poll(highWatermark, { timeout: 20_000 }).toBeGreaterThan(10);
  const grown = await highWatermark();
  await expect.poll(highWatermark, { timeout: 20_000 }).toBeGreaterThan(grown);

  await list.getByRole('button', { name: 'Stop producer-1' }).click();
  await expect(list.getByRole('listitem').filter({ hasText: 'producer-1' })).toContainText('stopped');
  const stoppedAt = await highWatermark();
  await page.waitForTimeout(1500);
  expect(await highWatermark()).toBe(stoppedAt);

  await form.getByRole('button', { name: 'Start producer' }).click();
  await expect(form.getByRole('status')).toContainText('Started producer-2');
  await expect.poll(highWatermark, { timeout: 20_000 }).toBeGreaterThan(stoppedAt);
  await list.getByRole('button', { name: 'Kill producer-2' }).click();
  await expect(list.getByRole('listitem').filter({ hasText: 'producer-2' })).toContainText('killed');
});
