import { expect, test } from '@playwright/test';

test('the built site loads with its title and no console errors', async ({ page }) => {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const where = msg.location().url;
    // Chromium's own automatic /favicon.ico request is not the app's doing.
    if (new URL(where || 'about:blank').pathname === '/favicon.ico') return;
    errors.push(`console.error: ${msg.text()}${where ? ` (${where})` : ''}`);
  });
  page.on('pageerror', (err) => errors.push(`uncaught: ${err.message}`));

  await page.goto('/');
  await expect(page).toHaveTitle(/Kafka Playground/);
  // React has mounted something into #root
  await expect(page.locator('#root')).not.toBeEmpty();
  await page.waitForLoadState('networkidle');

  expect(errors, errors.join('\n')).toEqual([]);
});
