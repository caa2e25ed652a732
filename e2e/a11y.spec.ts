import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { waitForBrokersRunning } from './helpers';

/**
 * axe-core over the whole page, in both themes, on the default cluster with its demo traffic, a
 * consumer group and a failover under way: no serious or critical violations.
 */
async function seriousViolations(page: Page): Promise<string[]> {
  // A rebalance step or quorum message fading in is checked as it ends, as a person reads it (axe would measure its contrast
  // mid-fade). Those that appear while axe runs (a rebalance after the kill) come in without the fade.
  await page.addStyleTag({ content: '*, *::before, *::after { animation: none !important; transition: none !important; }' });
  await page.evaluate(() => { for (const animation of document.getAnimations()) animation.finish(); });
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

test('the page has no serious or critical accessibility violations, in light and dark themes', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto('./');
  await page.evaluate(() => window.playground.ready);
  await waitForBrokersRunning(page);
  await page.evaluate(() => window.playground.cluster.startConsumer({ groupId: 'a11y', topics: ['demo'], sessionTimeout: 6000, heartbeatInterval: 1000 }));
  await expect.poll(() => page.evaluate(() => window.playground.cluster.describe().groups.find((g) => g.groupId === 'a11y')?.state), { timeout: 30_000 }).toBe('Stable');
  await page.evaluate(() => window.playground.cluster.killBroker(3));

  for (const theme of ['light', 'dark']) {
    await page.evaluate((t) => document.documentElement.setAttribute('data-theme', t), theme);
    expect(await seriousViolations(page), `${theme} theme`).toEqual([]);
  }
});
