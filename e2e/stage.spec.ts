import { expect, test, type Page } from '@playwright/test';
import { freshCluster } from './helpers';

const stage = (page: Page) => page.locator('.stage');

async function createTopic(page: Page, topic: string): Promise<void> {
  await page.evaluate(async (t) => {
    const admin = window.playground.kafka({ clientId: 'e2e-stage-admin' }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: t, numPartitions: 3, replicationFactor: 3 }] });
    await admin.disconnect();
  }, topic);
  await expect.poll(() => page.evaluate((t) => window.playground.cluster.describe().topics.find((x) => x.name === t)?.partitions.filter((p) => p.isr.length === 3).length ?? 0, topic), { timeout: 30_000 }).toBe(3);
}

test('the stage shows controllers, brokers and replicas with their roles, and draws what a producer sends', async ({ page }) => {
  test.setTimeout(90_000);
  await freshCluster(page, { running: true });
  await createTopic(page, 'staged');
  const described = await page.evaluate(() => window.playground.cluster.describe());

  // The quorum above, with its active controller; the brokers below, each a region with its controls.
  const quorum = page.getByRole('region', { name: 'Controller quorum' });
  await expect(quorum.getByTestId('active-controller-id')).toHaveText(String(described.activeController));
  await expect(page.getByRole('region', { name: `Controller ${described.activeController}` })).toContainText('★ active controller');
  for (const id of [1, 2, 3]) {
    await expect(page.getByRole('region', { name: `Broker ${id}` })).toContainText('RUNNING');
    await expect(page.getByRole('button', { name: `Kill broker ${id}` })).toBeVisible();
  }

  // Every replica drawn (3 partitions x 3), and told in words: the leader with its epoch, followers in the ISR.
  await expect(page.locator('.stage-svg .srow')).toHaveCount(9);
  const p0 = described.topics.find((t) => t.name === 'staged')!.partitions[0];
  const follower = p0.replicas.find((id) => id !== p0.leader)!;
  await expect(page.getByRole('list', { name: `Partition replicas on broker ${p0.leader}` })).toContainText(`staged-0: leader at leader epoch ${p0.leaderEpoch}, in the ISR`);
  await expect(page.getByRole('list', { name: `Partition replicas on broker ${follower}` })).toContainText('staged-0: follower, in the ISR');

  // Clicking a replica highlights its partition on every broker that holds it.
  await page.locator('.stage-svg .srow').first().click();
  await expect(page.locator('.stage-svg .srow.is-selected')).toHaveCount(3);

  // Produce: the producer appears on the left and its Produce requests are drawn on their way.
  const before = Number(await stage(page).getAttribute('data-drawn-produce'));
  await page.evaluate(async () => {
    const producer = window.playground.kafka({ clientId: 'e2e-stage-producer' }).producer();
    await producer.connect();
    for (let i = 0; i < 5; i++) await producer.send({ topic: 'staged', acks: -1, messages: [{ key: `k${i}`, value: `v${i}` }] });
    await producer.disconnect();
  });
  await expect.poll(async () => Number(await stage(page).getAttribute('data-drawn-produce'))).toBeGreaterThan(before);
  await expect(page.getByRole('region', { name: /^Producer client-\d+$/ }).first()).toBeVisible();
  expect(Number(await stage(page).getAttribute('data-drawn'))).toBeGreaterThan(0);

  // A person who prefers reduced motion gets rates between nodes, never moving dots.
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await expect(stage(page)).toHaveAttribute('data-flow-mode', 'rates');
  await page.emulateMedia({ reducedMotion: 'no-preference' });
  await expect(stage(page)).toHaveAttribute('data-flow-mode', 'dots');
});

test('a killed broker is greyed with its time of death; a network cut is drawn as broken links', async ({ page }) => {
  test.setTimeout(120_000);
  await freshCluster(page, { running: true });
  await createTopic(page, 'faults');

  await page.getByRole('button', { name: 'Kill broker 2' }).click();
  const broker2 = page.getByRole('region', { name: 'Broker 2' });
  await expect(broker2).toHaveClass(/is-dead/);
  await expect(broker2).toContainText('DEAD');
  await expect(broker2).toContainText(/dead since \d\d:\d\d:\d\d\.\d{3}/);
  await expect(page.getByRole('region', { name: 'Latest faults' })).toContainText('broker-2 killed');
  // The controller fences it and moves its leaderships: the note says so and why.
  await expect(page.getByRole('region', { name: 'Latest faults' })).toContainText('broker 2 was fenced', { timeout: 30_000 });
  await page.getByRole('button', { name: 'Restart broker 2' }).click();
  await expect(broker2).not.toHaveClass(/is-dead/, { timeout: 30_000 });

  // Isolate broker 3: every link from it to the others, and from the page's clients, is broken.
  await expect(page.locator('.stage-svg .break')).toHaveCount(0);
  await page.evaluate(() => window.playground.cluster.isolate(3));
  await expect(page.locator('.stage-svg .break')).toHaveCount(6);
  await expect(page.locator('.stage-svg .break title').first()).toContainText('broker-3');
  await page.evaluate(() => window.playground.cluster.heal());
  await expect(page.locator('.stage-svg .break')).toHaveCount(0);
});
