import { expect, type Page } from '@playwright/test';

/** Waits until brokers 1-3 are alive, RUNNING and unfenced. */
export async function waitForBrokersRunning(page: Page, timeoutMs = 45_000): Promise<void> {
  await expect.poll(() => page.evaluate(() => window.playground.cluster.describe().brokers.map((b) => `${b.id}:${b.alive}:${b.state}:${b.fenced}`).join(' ')), { timeout: timeoutMs })
    .toBe('1:true:RUNNING:false 2:true:RUNNING:false 3:true:RUNNING:false');
}

/**
 * Opens the site on a fresh default cluster with no demo traffic, so each test starts from
 * nothing; with `running`, also waits until every broker serves.
 */
export async function freshCluster(page: Page, options: { running?: boolean } = {}): Promise<void> {
  await page.goto('./');
  await page.evaluate(() => window.playground.ready);
  await page.evaluate(() => window.playground.cluster.reset({ demo: false }));
  if (options.running) await waitForBrokersRunning(page);
}
