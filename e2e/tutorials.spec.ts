import { expect, test, type Locator, type Page } from '@playwright/test';
import { TUTORIALS } from '../src/tutorials/content';
import type { Tutorial } from '../src/tutorials/types';
import { waitForBrokersRunning } from './helpers';

/**
 * Every tutorial walked through the UI from its first step to its last, on the real cluster of
 * a fresh visit (3 brokers on racks a/b/c, 3 controllers, the demo topic and its producer): each
 * step's "Do it for me" pressed, then Next awaited until the step's condition holds on the live
 * cluster. The playground runs at 4x so session and fencing timeouts pass quickly. And progress
 * survives a reload.
 */

const SPEED = 4;
/** Wall time a step may take to unlock at 4x (the slowest wait a crashed consumer's session.timeout.ms). */
const STEP_TIMEOUT_MS = 60_000;

async function openPlayground(page: Page): Promise<Locator> {
  await page.goto('./');
  await page.evaluate(() => window.playground.ready);
  await waitForBrokersRunning(page);
  await page.evaluate((speed) => window.playground.cluster.setSpeed(speed), SPEED);
  const panel = page.getByRole('region', { name: 'Tutorials', exact: true });
  await expect(panel).toBeVisible();
  return panel;
}

/** Walks one step: "Do it for me" (when it has one), then Next (or Finish) once unlocked. */
async function walkStep(panel: Locator, tutorial: Tutorial, index: number): Promise<void> {
  const step = tutorial.steps[index];
  await expect(panel.getByRole('heading', { name: `Step ${index + 1} of ${tutorial.steps.length}: ${step.title}` })).toBeVisible();
  if (step.action?.run) await panel.getByRole('button', { name: `Do it for me: ${step.action.label}` }).click();
  const last = index === tutorial.steps.length - 1;
  const next = panel.getByRole('button', { name: last ? 'Finish' : 'Next', exact: true });
  try {
    await expect(next).toBeEnabled({ timeout: STEP_TIMEOUT_MS });
  } catch (error) {
    // Say what the step was waiting for, and any error the action or the condition reported.
    const status = await panel.getByTestId('tutorial-status').textContent();
    const alerts = await panel.getByRole('alert').allTextContents();
    throw new Error(`${tutorial.id}/${step.id}: ${status} ${alerts.join(' ')}`, { cause: error });
  }
  await expect(panel.getByTestId('tutorial-status')).toContainText(`Done: ${step.waitingFor}`);
  await next.click();
}

async function walkTutorial(panel: Locator, tutorial: Tutorial): Promise<void> {
  await panel.getByRole('button', { name: `Start: ${tutorial.title}` }).click();
  await expect(panel.getByRole('heading', { name: tutorial.title, exact: true })).toBeVisible();
  for (let i = 0; i < tutorial.steps.length; i++) await walkStep(panel, tutorial, i);
  // Finished: "what you just saw, in real Kafka", and the list marks it completed.
  const real = panel.getByRole('region', { name: `${tutorial.title}: what you just saw, in real Kafka` });
  await expect(real).toBeVisible();
  for (const config of tutorial.realKafka.configs) await expect(real.getByRole('rowheader', { name: config.name, exact: true })).toBeVisible();
  await expect(panel.getByRole('listitem').filter({ has: panel.page().getByRole('heading', { name: tutorial.title, exact: true }) })).toContainText('Completed');
}

for (const tutorial of TUTORIALS.filter((t) => !t.unavailable)) {
  test(`tutorial "${tutorial.title}" walks from its first step to its last on the live cluster`, async ({ page }) => {
    test.setTimeout(240_000);
    const panel = await openPlayground(page);
    await walkTutorial(panel, tutorial);
  });
}

test('log compaction is listed, saying why it cannot be started yet', async ({ page }) => {
  const panel = await openPlayground(page);
  const compaction = TUTORIALS.find((t) => t.unavailable)!;
  const item = panel.getByRole('listitem').filter({ has: page.getByRole('heading', { name: compaction.title, exact: true }) });
  await expect(item).toContainText('Not available yet');
  await expect(item).toContainText(compaction.unavailable!);
  await expect(item.getByRole('button', { name: new RegExp(`Start: ${compaction.title}`) })).toHaveCount(0);
});

test('progress survives a reload: the step in hand and the tutorials completed', async ({ page }) => {
  test.setTimeout(180_000);
  let panel = await openPlayground(page);
  const partitions = TUTORIALS.find((t) => t.id === 'topics-and-partitions')!;
  await walkTutorial(panel, partitions);
  const log = TUTORIALS.find((t) => t.id === 'the-log')!;
  await panel.getByRole('button', { name: `Start: ${log.title}` }).click();
  await walkStep(panel, log, 0);
  await walkStep(panel, log, 1);
  await expect(panel.getByRole('heading', { name: `Step 3 of ${log.steps.length}: ${log.steps[2].title}` })).toBeVisible();

  await page.reload();
  panel = await openPlayground(page);
  // Back where it was, and Back leads to steps already done, whose Next needs no waiting.
  await expect(panel.getByRole('heading', { name: `Step 3 of ${log.steps.length}: ${log.steps[2].title}` })).toBeVisible();
  await panel.getByRole('button', { name: 'Back', exact: true }).click();
  await expect(panel.getByRole('heading', { name: `Step 2 of ${log.steps.length}: ${log.steps[1].title}` })).toBeVisible();
  await expect(panel.getByRole('button', { name: 'Next', exact: true })).toBeEnabled();
  await panel.getByRole('button', { name: 'All tutorials' }).click();
  const item = (t: Tutorial) => panel.getByRole('listitem').filter({ has: page.getByRole('heading', { name: t.title, exact: true }) });
  await expect(item(log)).toContainText(`Step 2 of ${log.steps.length}`);
  await expect(item(partitions)).toContainText('Completed');
  const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('kafka-playground:tutorials') ?? 'null'));
  expect(stored).toMatchObject({ current: null, tutorials: { 'the-log': { step: 1, reached: 2 } }, completed: ['topics-and-partitions'] });

  await panel.getByRole('button', { name: 'Reset progress' }).click();
  await expect(item(partitions)).toContainText('Not started');
  await expect(item(log)).toContainText('Not started');
});
