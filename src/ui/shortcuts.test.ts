import { describe, expect, it } from 'vitest';
import { SHORTCUTS, SPEED_STEPS, nextSpeed } from './shortcuts';

describe('shortcuts', () => {
  it('+ and - move along the speed steps and stop at the ends', () => {
    expect(nextSpeed(1, 1)).toBe(2);
    expect(nextSpeed(1, -1)).toBe(0.5);
    expect(nextSpeed(10, 1)).toBe(10);
    expect(nextSpeed(0.1, -1)).toBe(0.1);
    // A speed set elsewhere, between steps, goes to the nearest step in that direction.
    expect(nextSpeed(3, 1)).toBe(4);
    expect(nextSpeed(3, -1)).toBe(2);
    expect(SPEED_STEPS[0]).toBe(0.1);
  });

  it('the help lists play/pause, step, speed, kill and help', () => {
    const keys = SHORTCUTS.flatMap((g) => g.items.flatMap((i) => i.keys));
    for (const key of ['Space', '.', 's', '+', '-', 'k', 'r', '?', 'Esc']) expect(keys).toContain(key);
  });
});
