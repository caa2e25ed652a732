import { expect, test, type Page } from '@playwright/test';
import { freshCluster, waitForBrokersRunning } from './helpers';

function partition(page: Page, topic: string) {
  return page.evaluate((t) => {
    const p = window.playground.cluster.describe().topics.find((x) => x.name === t)!.partitions[0];
    return { leader: p.leader, leaderEpoch: p.leaderEpoch, isr: [...p.isr].sort(), state: p.state };
  }, topic);
}

const fenced = (page: Page, id: number) => page.evaluate((b) => window.playground.cluster.describe().brokers.find((x) => x.id === b)!.fenced, id);

test('isolating the leader of an RF=3 partition fences it and moves leadership; healed, it rejoins the ISR', async ({ page }) => {
  test.setTimeout(150_000);
  await freshCluster(page, { running: true });
  await page.evaluate(async () => {
    const admin = window.playground.kafka({ clientId: 'e2e-admin' }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'cut', numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }] });
    await admin.disconnect();
  });
  await expect.poll(() => page.evaluate(() => window.playground.cluster.describe().topics.find((x) => x.name === 'cut')?.partitions[0]?.isr.length ?? 0), { timeout: 30_000 }).toBe(3);
  const before = await partition(page, 'cut');
  const old = before.leader;
  const others = [1, 2, 3].filter((id) => id !== old);

  // Through the UI: the Isolate button beside the Kill button.
  await expect(page.getByText('Network: every node reaches every other')).toBeVisible();
  await page.getByRole('button', { name: `Isolate broker ${old}` }).click();
  const banner = page.getByTestId('partition-banner');
  await expect(banner).toHaveText(`{${[...others, 1000, 1001, 1002].join(',')}} | {${old}}`);
  await expect(page.getByRole('status', { name: 'Network' })).toContainText('network partition:');
  const box = page.getByRole('region', { name: `Broker ${old}` });
  await expect(box).toHaveClass(/is-isolated/);
  await expect(box).toContainText('isolated');
  await expect(box).toContainText("unreachable from the page's clients");
  await expect(page.getByRole('button', { name: `broker ${old} is isolated` })).toBeDisabled();
  expect(await page.evaluate(() => window.playground.cluster.describe().network.text)).toBe(`{${[...others, 1000, 1001, 1002].join(',')}} | {${old}}`);

  // Its heartbeats stop reaching the controller: fenced after broker.session.timeout.ms, and a
  // follower from the ISR leads at a higher leader epoch. The broker itself is still alive.
  await expect.poll(() => fenced(page, old), { timeout: 30_000 }).toBe(true);
  await expect.poll(async () => (await partition(page, 'cut')).leader, { timeout: 30_000 }).not.toBe(old);
  const during = await partition(page, 'cut');
  expect(others).toContain(during.leader);
  expect(during.leaderEpoch).toBeGreaterThan(before.leaderEpoch);
  await expect.poll(async () => (await partition(page, 'cut')).isr, { timeout: 30_000 }).toEqual(others);
  expect(await page.evaluate((b) => window.playground.cluster.describe().brokers.find((x) => x.id === b)!.alive, old)).toBe(true);
  await expect(page.getByRole('region', { name: `Broker ${old}` })).toContainText('fenced');

  // The page's clients sit with the majority: acks=all with min.insync.replicas=2 still succeeds there.
  const offset = await page.evaluate(async () => {
    const producer = window.playground.kafka({ clientId: 'e2e-majority' }).producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const [result] = await producer.send({ topic: 'cut', acks: -1, messages: [{ key: 'k', value: 'during the partition' }] });
    await producer.disconnect();
    return Number(result.baseOffset);
  });
  expect(offset).toBe(0);

  // A restart does not heal: the broker comes back on its own side of the cut and stays fenced.
  await page.evaluate((b) => window.playground.cluster.killBroker(b), old);
  await page.evaluate((b) => window.playground.cluster.restartBroker(b), old);
  await page.waitForTimeout(4000);
  expect(await fenced(page, old)).toBe(true);
  await expect(banner).toHaveText(`{${[...others, 1000, 1001, 1002].join(',')}} | {${old}}`);

  // Heal through the UI: the broker heartbeats again, is unfenced, catches up and rejoins the ISR.
  await page.getByRole('button', { name: 'Heal network' }).click();
  await expect(page.getByText('Network: every node reaches every other')).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: 'network healed' }).first()).toBeVisible();
  expect(await page.evaluate(() => window.playground.cluster.network())).toBeNull();
  await expect.poll(() => fenced(page, old), { timeout: 30_000 }).toBe(false);
  await expect.poll(async () => (await partition(page, 'cut')).isr, { timeout: 45_000 }).toEqual([1, 2, 3]);
});

test('a partition from the API is shown, and a cluster reset heals it', async ({ page }) => {
  test.setTimeout(120_000);
  await freshCluster(page, { running: true });
  // Nodes left out (controllers 1001 and 1002) stay with the first group, so the whole quorum is with broker 1.
  const cut = await page.evaluate(() => window.playground.cluster.partition([[1, 1000], [2, 3]]));
  expect(cut).toEqual({ groups: [[1, 1000, 1001, 1002], [2, 3]], clients: 0 });
  await expect(page.getByTestId('partition-banner')).toHaveText('{1,1000,1001,1002} | {2,3}');
  await expect(page.getByRole('region', { name: 'Broker 2' })).toContainText("unreachable from the page's clients");
  await expect(page.getByRole('region', { name: 'Broker 1' })).not.toContainText('unreachable');
  await expect(page.getByRole('row').filter({ hasText: 'network partition: {1,1000,1001,1002} | {2,3}' }).first()).toBeVisible();
  // Brokers 2 and 3 lose the controller quorum: both fenced, while broker 1 stays.
  await expect.poll(() => page.evaluate(() => window.playground.cluster.describe().brokers.map((b) => b.fenced)), { timeout: 30_000 }).toEqual([false, true, true]);
  await page.evaluate(() => window.playground.cluster.reset({ demo: false }));
  expect(await page.evaluate(() => window.playground.cluster.network())).toBeNull();
  await waitForBrokersRunning(page);
  await expect(page.getByText('Network: every node reaches every other')).toBeVisible();
});
