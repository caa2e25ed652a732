import { describe, expect, it } from 'vitest';
import { ScaledClock } from './scaledClock';

const wallNow = (): number => performance.timeOrigin + performance.now();
const turn = (ms = 10) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ScaledClock paused', () => {
  it('runs no timer while paused, and a step of the clock runs those due by then, in the order of their times', async () => {
    const clock = new ScaledClock({ wallMs: wallNow(), clusterMs: 1000, speed: 0 });
    const fired: string[] = [];
    clock.setTimer(30, () => fired.push('at 1030'));
    clock.setTimer(10, () => fired.push('at 1010'));
    clock.setTimer(100, () => fired.push('at 1100'));
    await turn(30);
    expect(clock.now()).toBe(1000);
    expect(fired).toEqual([]);
    clock.setAnchor({ wallMs: wallNow(), clusterMs: 1050, speed: 0 });
    await turn();
    expect(fired).toEqual(['at 1010', 'at 1030']);
    expect(clock.now()).toBe(1050);
    clock.setAnchor({ wallMs: wallNow(), clusterMs: 1050, speed: 10 });
    await turn(30);
    expect(fired).toEqual(['at 1010', 'at 1030', 'at 1100']);
  });

  it('a timer of no delay set while paused runs: its time has come', async () => {
    const clock = new ScaledClock({ wallMs: wallNow(), clusterMs: 0, speed: 0 });
    let ran = false;
    clock.setTimer(0, () => { ran = true; });
    await turn();
    expect(ran).toBe(true);
  });
});
