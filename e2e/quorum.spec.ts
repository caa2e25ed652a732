import { expect, test, type Page } from '@playwright/test';
import { freshCluster } from './helpers';

/** Opens the site on a fresh cluster (3 brokers, 3 controllers) with no demo traffic and an elected quorum. */
async function freshQuorum(page: Page): Promise<void> {
  await freshCluster(page, { running: true });
  await expect.poll(() => quorum(page).then((q) => q.states.filter((s) => s.endsWith(':Leader') || s.endsWith(':Follower')).length), { timeout: 30_000 }).toBe(3);
}

/** The quorum as describe() gives it: the active controller, each voter's state, the newest epoch. */
function quorum(page: Page) {
  return page.evaluate(() => {
    const d = window.playground.cluster.describe();
    return { active: d.activeController, epoch: d.quorum.epoch, states: d.controllers.map((c) => `${c.id}:${c.state}`), controllers: d.controllers };
  });
}

/** CreateTopics through the page's admin client: true, or the error it failed with. */
function createTopic(page: Page, topic: string, timeoutMs = 60_000): Promise<true | string> {
  return page.evaluate(async ({ topic, timeoutMs }) => {
    const admin = window.playground.kafka({ clientId: `e2e-admin-${topic}` }).admin();
    try {
      await admin.connect();
      const done = admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 3 }] }).then(() => true as const);
      const late = new Promise<string>((resolve) => setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs));
      return await Promise.race([done, late]);
    } catch (error) {
      return String((error as Error).message ?? error);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }, { topic, timeoutMs });
}

function produce(page: Page, topic: string, value: string): Promise<number> {
  return page.evaluate(async ({ topic, value }) => {
    const producer = window.playground.kafka({ clientId: 'e2e-producer' }).producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const [result] = await producer.send({ topic, acks: -1, messages: [{ key: 'k', value }] });
    await producer.disconnect();
    return Number(result.baseOffset);
  }, { topic, value });
}

const topicNames = (page: Page) => page.evaluate(() => window.playground.cluster.describe().topics.map((t) => t.name));

test('killing the active controller elects another; with two of three down metadata cannot change but produce works; restarted, the quorum recovers', async ({ page }) => {
  test.setTimeout(240_000);
  await freshQuorum(page);
  const first = await quorum(page);
  expect(first.controllers.map((c) => c.id)).toEqual([1000, 1001, 1002]);
  const active0 = first.active!;
  expect(active0).not.toBeNull();
  await expect(page.getByRole('region', { name: `Controller ${active0}` })).toContainText('★ active controller');
  await expect(page.getByTestId('active-controller-id')).toHaveText(String(active0));
  expect(await createTopic(page, 'before')).toBe(true);
  await expect.poll(() => topicNames(page)).toContain('before');

  // Kill the active controller from its box: the followers stop hearing from it, ask for
  // pre-votes, and one wins a new epoch.
  await page.getByRole('button', { name: `Kill controller ${active0}` }).click();
  await expect.poll(async () => (await quorum(page)).active, { timeout: 30_000 }).not.toBe(active0);
  await expect.poll(async () => (await quorum(page)).active, { timeout: 30_000 }).not.toBeNull();
  const second = await quorum(page);
  const active1 = second.active!;
  expect(second.epoch).toBeGreaterThan(first.epoch);
  expect(second.states).toContain(`${active1}:Leader`);
  expect(second.controllers.find((c) => c.id === active0)).toMatchObject({ alive: false, state: null, active: false });
  await expect(page.getByTestId('active-controller-id')).toHaveText(String(active1));
  await expect(page.getByRole('region', { name: `Controller ${active1}` })).toContainText('★ active controller');
  await expect(page.getByTestId(`quorum-state-${active1}`)).toHaveText('Leader');
  await expect(page.getByTestId(`quorum-state-${active0}`)).toHaveText('down');
  await expect(page.getByRole('row').filter({ hasText: `controller-${active1} became the quorum Leader in epoch ${second.epoch}` }).first()).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: 'pre-vote' }).first()).toBeVisible();
  // Brokers find the new active controller: a topic gets created, its LeaderChangeMessage is in the metadata log.
  expect(await createTopic(page, 'after-failover')).toBe(true);
  await expect.poll(() => topicNames(page)).toContain('after-failover');
  await expect(page.locator('table.metadata tr.leader-change').filter({ hasText: `controller ${active1} leads the quorum` }).first()).toBeVisible();

  // Two of three down: no majority, so no metadata can be committed.
  await page.getByRole('button', { name: `Kill controller ${active1}` }).click();
  const warning = page.getByRole('region', { name: 'Controller quorum' }).getByRole('status');
  await expect(warning).toContainText('No majority (1 of 3 alive)');
  await expect.poll(async () => (await quorum(page)).active, { timeout: 10_000 }).toBeNull();
  // The broker tries each controller: the dead ones reset the connection, the live one is not active.
  const failed = await createTopic(page, 'during-outage', 45_000);
  expect(failed).toMatch(/REQUEST_TIMED_OUT|NOT_CONTROLLER|NETWORK_EXCEPTION|no answer within/);
  expect(await topicNames(page)).not.toContain('during-outage');
  // ... while the partition leaders keep serving produce to an existing topic.
  expect(await produce(page, 'before', 'written without a controller')).toBe(0);

  // Restart both: the quorum elects a leader again and metadata changes work.
  await page.getByRole('button', { name: `Restart controller ${active0}` }).click();
  await page.getByRole('button', { name: `Restart controller ${active1}` }).click();
  await expect.poll(async () => (await quorum(page)).active, { timeout: 45_000 }).not.toBeNull();
  await expect(warning).toHaveCount(0);
  expect(await createTopic(page, 'after-restart')).toBe(true);
  await expect.poll(() => topicNames(page)).toContain('after-restart');
  await expect.poll(async () => (await quorum(page)).states.filter((s) => s.endsWith(':Leader') || s.endsWith(':Follower')).length, { timeout: 30_000 }).toBe(3);
});

test('an isolated active controller resigns (check-quorum) and another takes over; healed, it follows without disturbing the leader', async ({ page }) => {
  test.setTimeout(150_000);
  await freshQuorum(page);
  const first = await quorum(page);
  const active0 = first.active!;
  const others = [1000, 1001, 1002].filter((id) => id !== active0);

  await page.evaluate((id) => window.playground.cluster.isolate(id), active0);
  await expect(page.getByTestId('partition-banner')).toHaveText(`{${[1, 2, 3, ...others].join(',')}} | {${active0}}`);
  await expect(page.getByRole('region', { name: `Controller ${active0}` })).toHaveClass(/is-isolated/);

  // The majority elects a new leader; the old one hears from no majority and resigns.
  await expect.poll(async () => (await quorum(page)).active, { timeout: 30_000 }).not.toBe(active0);
  await expect.poll(async () => (await quorum(page)).active, { timeout: 30_000 }).not.toBeNull();
  await expect(page.getByRole('row').filter({ hasText: `controller-${active0} resigned the quorum leadership of epoch ${first.epoch}: check-quorum` }).first()).toBeVisible({ timeout: 20_000 });
  const during = await quorum(page);
  const active1 = during.active!;
  expect(others).toContain(active1);
  expect(during.epoch).toBeGreaterThan(first.epoch);
  expect(during.controllers.find((c) => c.id === active0)!.state).not.toBe('Leader');
  await expect(page.getByTestId('active-controller-id')).toHaveText(String(active1));
  // Cut off, it only asks for pre-votes, which raise no epoch (KIP-996).
  await expect.poll(async () => (await quorum(page)).controllers.find((c) => c.id === active0)!.epoch).toBe(first.epoch);

  await page.evaluate(() => window.playground.cluster.heal());
  await expect(page.getByText('Network: every node reaches every other')).toBeVisible();
  await expect.poll(async () => (await quorum(page)).controllers.find((c) => c.id === active0), { timeout: 30_000 })
    .toMatchObject({ state: 'Follower', leaderId: active1, epoch: during.epoch });
  const after = await quorum(page);
  expect(after.active).toBe(active1);
  expect(after.epoch).toBe(during.epoch);
  expect(await createTopic(page, 'after-heal')).toBe(true);
  await expect.poll(() => topicNames(page)).toContain('after-heal');
});
