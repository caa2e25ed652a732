import { expect, test, type Page } from '@playwright/test';
import { freshCluster } from './helpers';

/**
 * Sharing: a link made in one browser, opened in a fresh browser context (its own storage),
 * shows what it will build and builds nothing until "Build this scenario" is clicked; then the
 * same cluster shape, topics, configs and client applications exist, and its faults run.
 */

/** What a rebuilt cluster must match: shape, topics with partitions, RF and configs, clients. */
function shape(page: Page) {
  return page.evaluate(() => {
    const d = window.playground.cluster.describe();
    return {
      brokers: d.brokers.length,
      controllers: d.controllers.length,
      topics: d.topics.filter((t) => !t.internal).map((t) => ({ name: t.name, partitions: t.partitions.length, replicationFactor: t.partitions[0]?.replicas.length, configs: t.configs })),
      clients: d.clients.filter((c) => c.status === 'running').map((c) => ({ kind: c.kind, groupId: c.groupId, topics: c.topics })),
    };
  });
}

test('a link to the current cluster, opened in a fresh browser context, offers it and rebuilds it after the click', async ({ page, browser }) => {
  test.setTimeout(180_000);
  await freshCluster(page);
  await page.evaluate(() => window.playground.cluster.reset({ brokers: 4, controllers: 1, demo: false }));
  await page.evaluate(async () => {
    const admin = window.playground.kafka({ clientId: 'share-admin' }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [
      { topic: 'shared-orders', numPartitions: 2, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }, { name: 'retention.ms', value: '3600000' }] },
      { topic: 'shared-audit', numPartitions: 1, replicationFactor: 2, configEntries: [{ name: 'unclean.leader.election.enable', value: 'true' }] },
    ] });
    await admin.disconnect();
    await window.playground.cluster.startProducer({ topic: 'shared-orders', ratePerSec: 2 });
    await window.playground.cluster.startConsumer({ groupId: 'shared-billing', topics: ['shared-orders'] });
  });
  await expect.poll(async () => (await shape(page)).topics.length, { timeout: 30_000 }).toBe(2);
  await expect.poll(async () => (await shape(page)).clients.length, { timeout: 30_000 }).toBe(2);
  const original = await shape(page);

  const panel = page.getByRole('region', { name: 'Scenarios' });
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']).catch(() => undefined);
  await panel.getByRole('button', { name: 'Copy a link' }).click();
  const link = await panel.getByRole('textbox', { name: 'Link to this scenario' }).inputValue();
  expect(link).toMatch(/#s=v1z?\.[A-Za-z0-9_-]+$/);
  await page.close();

  const context = await browser.newContext();
  const other = await context.newPage();
  await other.goto(link);
  await other.evaluate(() => window.playground.ready);
  const offer = other.getByRole('region', { name: 'Shared scenario' });
  await expect(offer).toBeVisible();
  await expect(offer).toContainText('4 brokers and 1 KRaft controller');
  await expect(offer).toContainText('shared-orders: 2 partitions, replication factor 3, min.insync.replicas=2, retention.ms=3600000');
  await expect(offer).toContainText('shared-audit: 1 partition, replication factor 2, unclean.leader.election.enable=true');
  await expect(offer).toContainText('consumer in group shared-billing ← shared-orders');
  // Nothing is built before the click: the fresh context runs its default cluster, without those topics.
  await other.waitForTimeout(1000);
  const before = await shape(other);
  expect(before.topics.map((t) => t.name)).not.toContain('shared-orders');
  expect(before.brokers).toBe(3);

  await offer.getByRole('button', { name: 'Build this scenario' }).click();
  await expect(offer.getByRole('status')).toHaveText('Scenario built.', { timeout: 90_000 });
  await expect.poll(async () => (await shape(other)).clients.length, { timeout: 30_000 }).toBe(2);
  const rebuilt = await shape(other);
  expect(rebuilt.brokers).toBe(original.brokers);
  expect(rebuilt.controllers).toBe(original.controllers);
  expect(rebuilt.topics).toEqual(original.topics);
  expect(rebuilt.clients.map(({ kind, groupId, topics }) => ({ kind, groupId, topics })))
    .toEqual(original.clients.map(({ kind, groupId, topics }) => ({ kind, groupId, topics })));
  await context.close();
});

test('an experiment\'s shared link rebuilds its topic, configs and producer, and runs its faults on the cluster clock', async ({ page, browser }) => {
  test.setTimeout(180_000);
  await page.goto('./');
  await page.evaluate(() => window.playground.ready);
  const card = page.getByRole('article', { name: 'acks=all, min.insync.replicas=2, replication factor 3' });
  await card.getByRole('button', { name: 'Share acks=all, min.insync.replicas=2, replication factor 3' }).click();
  const link = await card.getByRole('textbox', { name: /^Link to / }).inputValue();
  await page.close();

  const context = await browser.newContext();
  const other = await context.newPage();
  await other.goto(link);
  await other.evaluate(() => window.playground.ready);
  const offer = other.getByRole('region', { name: 'Shared scenario' });
  await expect(offer).toContainText('min-isr: 1 partition, replication factor 3, min.insync.replicas=2');
  await expect(offer).toContainText('producer → min-isr, 10/s, acks=all');
  await expect(offer).toContainText('at 3 s: kill a follower of min-isr-0 (remembered as $first)');
  await offer.getByRole('button', { name: 'Build this scenario' }).click();
  // The first fault: a broker dies 3 s of cluster time after the clients start.
  await expect(offer.getByRole('list', { name: 'Build progress' })).toContainText('kill a follower of min-isr-0', { timeout: 60_000 });
  await expect.poll(() => other.evaluate(() => window.playground.cluster.describe().brokers.filter((b) => !b.alive).length), { timeout: 30_000 }).toBe(1);
  const rebuilt = await shape(other);
  expect(rebuilt.topics).toEqual([{ name: 'min-isr', partitions: 1, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } }]);
  expect(rebuilt.clients).toEqual([{ kind: 'producer', groupId: null, topics: ['min-isr'] }]);
  await context.close();
});

test('a scenario exported as JSON and imported in a fresh browser context is shown, then built on a click', async ({ page, browser }) => {
  test.setTimeout(180_000);
  await freshCluster(page);
  await page.evaluate(async () => {
    const admin = window.playground.kafka({ clientId: 'export-admin' }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'exported', numPartitions: 3, replicationFactor: 2, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] });
    await admin.disconnect();
  });
  await expect.poll(async () => (await shape(page)).topics.length, { timeout: 30_000 }).toBe(1);
  const original = await shape(page);
  const panel = page.getByRole('region', { name: 'Scenarios' });
  const downloading = page.waitForEvent('download');
  await panel.getByRole('button', { name: 'Export as JSON' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('kafka-playground-scenario.json');
  const file = await download.path();
  await page.close();

  const context = await browser.newContext();
  const other = await context.newPage();
  await other.goto('./');
  await other.evaluate(() => window.playground.ready);
  const importer = other.getByRole('region', { name: 'Scenarios' });
  // A file that is not a scenario is refused with the reason.
  await importer.getByLabel('Import a scenario (.json)').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"version":1,"cluster":{"brokers":3,"controllers":1},"topics":[{"name":"x","partitions":0}]}') });
  await expect(importer.getByRole('alert')).toHaveText('broken.json is not a scenario this playground can build: topics[0].partitions: must be an integer from 1 to 50, got 0');
  await importer.getByLabel('Import a scenario (.json)').setInputFiles(file);
  const imported = importer.getByRole('region', { name: 'Imported scenario' });
  await expect(imported).toContainText('exported: 3 partitions, replication factor 2, cleanup.policy=compact');
  expect((await shape(other)).topics.map((t) => t.name)).not.toContain('exported');
  await imported.getByRole('button', { name: 'Build this scenario' }).click();
  await expect(importer.getByRole('status').filter({ hasText: 'Scenario built.' })).toBeVisible({ timeout: 90_000 });
  const rebuilt = await shape(other);
  expect(rebuilt.topics).toEqual(original.topics);
  expect(rebuilt.brokers).toBe(original.brokers);
  await context.close();
});

test('a damaged link says why and builds nothing', async ({ page }) => {
  await page.goto('./#s=v1.eyJ2ZXJzaW9uIjoxLCJjbHVzdGVyIjp7ImJyb2tlcnMiOjB9fQ');
  await page.evaluate(() => window.playground.ready);
  const offer = page.getByRole('region', { name: 'Shared scenario' });
  await expect(offer.getByRole('alert')).toContainText('cluster.brokers: must be an integer from 1 to 9, got 0');
  await expect(offer.getByRole('button', { name: 'Build this scenario' })).toHaveCount(0);
  await offer.getByRole('button', { name: 'Dismiss' }).click();
  await expect(offer).toHaveCount(0);
  expect(await page.evaluate(() => window.location.hash)).toBe('');
});
