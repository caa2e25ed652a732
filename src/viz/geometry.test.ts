import { describe, expect, it } from 'vitest';
import { borderPoint, contains, offsetWindow, overlaps, route, routePoint, type Anchor, type Rect } from './geometry';

const inside = (r: Rect, p: { x: number; y: number }) => p.x > r.x + 1 && p.x < r.x + r.w - 1 && p.y > r.y + 1 && p.y < r.y + r.h - 1;

/** Three brokers in a row under three controllers, a producer on the left, a consumer on the right. */
const controllers: Anchor[] = [0, 1, 2].map((i) => ({ rect: { x: 300 + i * 220, y: 30, w: 200, h: 90 }, kind: 'controller' }));
const brokers: Anchor[] = [0, 1, 2].map((i) => ({ rect: { x: 200 + i * 310, y: 170, w: 300, h: 120 }, kind: 'broker' }));
const producer: Anchor = { rect: { x: 10, y: 210, w: 140, h: 40 }, kind: 'client-left' };
const consumer: Anchor = { rect: { x: 1200, y: 60, w: 220, h: 30 }, kind: 'client-right' };
const boxes = [...controllers, ...brokers];

/** No point of the route lies inside a box other than its ends'. */
function clear(a: Anchor, b: Anchor): boolean {
  for (const lane of [1, -1]) {
    const r = route(a, b, lane);
    for (let t = 0.02; t < 0.98; t += 0.02) {
      const p = routePoint(r, t);
      if (boxes.some((box) => box !== a && box !== b && inside(box.rect, p))) return false;
    }
  }
  return true;
}

describe('geometry', () => {
  it('finds where a line from the centre leaves a box', () => {
    const r = { x: 0, y: 0, w: 100, h: 50 };
    expect(borderPoint(r, { x: 200, y: 25 })).toEqual({ x: 100, y: 25 });
    expect(borderPoint(r, { x: 50, y: -100 })).toEqual({ x: 50, y: 0 });
  });

  it('tells overlap from touching, and containment', () => {
    expect(overlaps({ x: 0, y: 0, w: 10, h: 10 }, { x: 10, y: 0, w: 10, h: 10 })).toBe(false);
    expect(overlaps({ x: 0, y: 0, w: 10, h: 10 }, { x: 9, y: 9, w: 10, h: 10 })).toBe(true);
    expect(contains({ x: 0, y: 0, w: 10, h: 10 }, { x: 2, y: 2, w: 8, h: 8 })).toBe(true);
    expect(contains({ x: 0, y: 0, w: 10, h: 10 }, { x: 2, y: 2, w: 9, h: 8 })).toBe(false);
  });

  it('shows the newest offsets of a log that does not fit', () => {
    expect(offsetWindow(0, 10, 40)).toEqual({ from: 0, to: 10 });
    expect(offsetWindow(0, 1000, 40)).toEqual({ from: 960, to: 1000 });
    expect(offsetWindow(0, 0, 40)).toEqual({ from: 0, to: 1 });
  });

  it('routes messages between boxes through the gaps, not across other boxes', () => {
    // Follower to a leader two boxes away: over the top of the one between.
    expect(clear(brokers[0], brokers[2])).toBe(true);
    expect(clear(brokers[2], brokers[1])).toBe(true);
    expect(clear(controllers[0], controllers[2])).toBe(true);
    expect(clear(brokers[0], controllers[2])).toBe(true);
    expect(clear(producer, brokers[0])).toBe(true);
    expect(clear(producer, brokers[2])).toBe(true);
    expect(clear(consumer, brokers[0])).toBe(true);
    expect(clear(consumer, brokers[2])).toBe(true);
  });

  it("starts at the sender's edge and ends at the receiver's, in two lanes", () => {
    const request = route(producer, brokers[1], 1);
    expect(request.from.x).toBe(150);
    expect(request.to.y).toBe(170);
    const response = route(brokers[1], producer, -1);
    expect(response.to.x).toBe(150);
    expect(response.from).not.toEqual(request.to);
    const fetch = route(brokers[0], brokers[1], 1);
    expect(routePoint(fetch, 0.5).y).toBeLessThan(170);
  });
});
