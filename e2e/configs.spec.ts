import { expect, test, type Page } from '@playwright/test';
import { freshCluster } from './helpers';

/** Creates a topic through the page's client, as a script would. */
async function createTopic(page: Page, topic: string): Promise<void> {
  await page.evaluate(async (name) => {
    const admin = window.playground.kafka({ clientId: 'e2e-configs' }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: name, numPartitions: 1, replicationFactor: 3 }] });
    await admin.disconnect();
  }, topic);
}

/** The topic's overrides as the store holds them (its ConfigRecords). */
const overrides = (page: Page, topic: string) =>
  page.evaluate((name) => window.playground.cluster.describe().topics.find((t) => t.name === name)?.configs ?? null, topic);

test('a topic config edited in place is applied (value and source change); a bad value shows INVALID_CONFIG and changes nothing', async ({ page }) => {
  await freshCluster(page, { running: true });
  await createTopic(page, 'e2e-configs');
  const panel = page.getByRole('region', { name: 'Configs' });
  await panel.getByRole('combobox', { name: 'Topic' }).selectOption('e2e-configs');

  const minIsr = panel.locator('tr[data-config="min.insync.replicas"]');
  await expect(minIsr.getByRole('textbox', { name: 'min.insync.replicas value' })).toHaveValue('1');
  await expect(minIsr).toContainText('DEFAULT_CONFIG');
  await minIsr.getByRole('textbox', { name: 'min.insync.replicas value' }).fill('2');
  await minIsr.getByRole('button', { name: 'Set' }).click();
  await expect(minIsr).toContainText('TOPIC_CONFIG');
  await expect(minIsr.getByRole('textbox', { name: 'min.insync.replicas value' })).toHaveValue('2');
  await expect(panel.getByRole('status').filter({ hasText: 'ConfigRecord' })).toBeVisible();
  expect(await overrides(page, 'e2e-configs')).toEqual({ 'min.insync.replicas': '2' });

  // A bad value: Kafka's error by name, and nothing stored changes.
  const retention = panel.locator('tr[data-config="retention.ms"]');
  await retention.getByRole('textbox', { name: 'retention.ms value' }).fill('soon');
  await retention.getByRole('textbox', { name: 'retention.ms value' }).press('Enter');
  await expect(panel.getByRole('alert')).toContainText('INVALID_CONFIG');
  await expect(panel.getByRole('alert')).toContainText('Invalid value soon for configuration retention.ms');
  await expect(retention).toContainText('DEFAULT_CONFIG');
  expect(await overrides(page, 'e2e-configs')).toEqual({ 'min.insync.replicas': '2' });

  // Reset deletes the override: back to Kafka's default.
  await minIsr.getByRole('button', { name: 'Reset' }).click();
  await expect(minIsr).toContainText('DEFAULT_CONFIG');
  await expect(minIsr.getByRole('textbox', { name: 'min.insync.replicas value' })).toHaveValue('1');
  expect(await overrides(page, 'e2e-configs')).toEqual({});

  // The broker tab: read-only static configs, with the playground's departures from Kafka's defaults.
  await panel.getByRole('tab', { name: 'Broker' }).click();
  await expect(panel.locator('[data-config="broker.session.timeout.ms"]')).toContainText('here 3000');
  await expect(panel.locator('[data-config="broker.session.timeout.ms"]')).toContainText("Kafka's default 9000");
  await panel.getByRole('tab', { name: 'Consumer' }).click();
  await expect(panel.locator('[data-config="session.timeout.ms"]')).toContainText('45000');
  await expect(panel.locator('[data-config="session.timeout.ms"]')).toContainText('30000');
});

test('partitions are added to a topic (CreatePartitions); fewer than it has is refused with INVALID_PARTITIONS', async ({ page }) => {
  await freshCluster(page, { running: true });
  await createTopic(page, 'e2e-growing');
  const form = page.getByRole('region', { name: 'Create topic' });
  await form.getByRole('combobox', { name: 'Topic to add partitions to' }).selectOption('e2e-growing');
  const count = form.getByRole('spinbutton', { name: 'Partitions in all' });
  await count.fill('0');
  await form.getByRole('button', { name: 'Add partitions' }).click();
  await expect(form.getByRole('alert')).toContainText('INVALID_PARTITIONS');
  await count.fill('3');
  await form.getByRole('button', { name: 'Add partitions' }).click();
  await expect(form.getByRole('status')).toContainText('e2e-growing now has 3 partitions');
  await expect.poll(() => page.evaluate(() => window.playground.cluster.describe().topics.find((t) => t.name === 'e2e-growing')?.partitions.filter((p) => p.leader >= 0).length)).toBe(3);
  const topics = page.getByRole('region', { name: 'Topics and replicas' });
  await expect(topics.locator('tr[data-partition="e2e-growing-2"]')).toBeVisible();
});

test('a topic is deleted after a confirmation, and leaves the page', async ({ page }) => {
  await freshCluster(page, { running: true });
  await createTopic(page, 'e2e-doomed');
  const form = page.getByRole('region', { name: 'Create topic' });
  await form.getByRole('combobox', { name: 'Topic to delete' }).selectOption('e2e-doomed');
  await form.getByRole('button', { name: 'Delete topic…' }).click();
  const confirm = form.getByRole('alertdialog', { name: 'Delete topic e2e-doomed?' });
  await expect(confirm).toBeVisible();
  await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await confirm.getByRole('button', { name: 'Delete e2e-doomed' }).click();
  await expect(form.getByRole('status')).toContainText('Deleted topic e2e-doomed');
  await expect.poll(() => page.evaluate(() => window.playground.cluster.describe().topics.map((t) => t.name))).not.toContain('e2e-doomed');
  await expect(form.getByRole('combobox', { name: 'Topic to delete' }).locator('option', { hasText: 'e2e-doomed' })).toHaveCount(0);
});

test('the help overlay opens with ? and closes with Escape; shortcuts stay off in fields; k then a number kills a broker', async ({ page }) => {
  await freshCluster(page, { running: true });
  // Typing "?" in a field types it.
  const name = page.getByRole('region', { name: 'Create topic' }).getByRole('textbox', { name: 'Name' });
  await name.fill('');
  await name.press('?');
  await expect(name).toHaveValue('?');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await name.fill('');
  await name.blur();

  await page.keyboard.press('?');
  const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('Kill broker 1–9');
  await expect(dialog.getByRole('button', { name: /Close/ })).toBeFocused();
  // Focus stays inside.
  await page.keyboard.press('Tab');
  await expect(dialog.getByRole('button', { name: /Close/ })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);

  // The header's ? button opens it too, and focus goes back to it on close.
  const helpButton = page.getByRole('button', { name: 'Keyboard shortcuts' });
  await helpButton.click();
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: /Close/ }).click();
  await expect(helpButton).toBeFocused();
  await helpButton.blur();

  await page.keyboard.press('k');
  await expect(page.getByRole('status').filter({ hasText: 'Kill which broker?' })).toBeVisible();
  await page.keyboard.press('2');
  await expect.poll(() => page.evaluate(() => window.playground.cluster.describe().brokers.find((b) => b.id === 2)!.alive)).toBe(false);
});

test('the theme toggle switches between light and dark, and is remembered', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto('./');
  await page.evaluate(() => localStorage.removeItem('kafka-playground:theme'));
  await page.reload();
  const html = page.locator('html');
  await expect(html).toHaveAttribute('data-theme', 'light');
  const light = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  const toggle = page.getByRole('button', { name: 'Dark theme' });
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  await toggle.click();
  await expect(html).toHaveAttribute('data-theme', 'dark');
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  expect(await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)).not.toBe(light);
  await page.reload();
  await expect(html).toHaveAttribute('data-theme', 'dark');
  await page.getByRole('button', { name: 'Dark theme' }).click();
  await expect(html).toHaveAttribute('data-theme', 'light');
});
