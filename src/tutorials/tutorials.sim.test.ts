import { describe, expect, it } from 'vitest';
import { TUTORIALS } from './content';
import { StepRun } from './engine';
import { SimPlayground } from './simPlayground';
import type { Tutorial } from './types';

/**
 * Every tutorial walked from its first step to its last on a simulated cluster of the browser's
 * default shape (3 brokers on racks a/b/c, 3 controllers): each step's "do it for me" action
 * through the tutorials' API, then its condition awaited on the cluster's description and
 * events. A step whose condition never holds fails here, naming what it waited for.
 */

/** How often the condition is checked, in cluster milliseconds (the panel checks about as often). */
const CHECK_EVERY_MS = 250;
const STEP_TIMEOUT_MS = 120_000;

async function walk(tutorial: Tutorial, seed: number): Promise<string[]> {
  const playground = new SimPlayground(seed);
  const { scheduler } = playground.sim;
  await playground.start();
  const walked: string[] = [];
  for (const [index, step] of tutorial.steps.entries()) {
    const run = new StepRun(tutorial.id, index, playground.describe());
    const stop = playground.onEvents((events) => run.observe(events));
    try {
      // A step's action is what makes its condition hold: not true before it (on this fresh cluster).
      if (step.action?.run) expect(run.check(step, playground.describe()), `${tutorial.id}/${step.id} done before its action`).toBe(false);
      if (step.action?.run) await scheduler.await(step.action.run(playground, playground.tools), STEP_TIMEOUT_MS, `${tutorial.id}/${step.id} action`);
      const deadline = scheduler.now + STEP_TIMEOUT_MS;
      while (!run.check(step, playground.describe())) {
        expect(run.error, `${tutorial.id}/${step.id}: the condition threw`).toBeNull();
        if (scheduler.now > deadline) throw new Error(`${tutorial.id}/${step.id}: still waiting for ${step.waitingFor}`);
        await scheduler.runFor(CHECK_EVERY_MS);
      }
    } finally {
      stop();
    }
    walked.push(step.id);
  }
  return walked;
}

describe('every tutorial, walked on a simulated cluster', () => {
  for (const tutorial of TUTORIALS.filter((t) => !t.unavailable)) {
    it(`${tutorial.title}: every step's action makes its condition hold`, async () => {
      expect(await walk(tutorial, 11)).toEqual(tutorial.steps.map((s) => s.id));
    }, 180_000);
  }
});
