/** Plain geometry for the stage: rectangles, where a line between two boxes meets their borders, curved paths. */

export interface Point { x: number; y: number }
export interface Rect { x: number; y: number; w: number; h: number }

export const center = (r: Rect): Point => ({ x: r.x + r.w / 2, y: r.y + r.h / 2 });

export const clamp = (value: number, min: number, max: number): number => Math.min(max, Math.max(min, value));

/** Whether two rectangles share any area (touching edges do not count, nor rounding's hundredths of a pixel). */
export function overlaps(a: Rect, b: Rect, slack = 0.01): boolean {
  return a.x < b.x + b.w - slack && b.x < a.x + a.w - slack && a.y < b.y + b.h - slack && b.y < a.y + a.h - slack;
}

/** Whether `inner` lies within `outer` (edges may touch); `slack` forgives rounding. */
export function contains(outer: Rect, inner: Rect, slack = 0.01): boolean {
  return inner.x >= outer.x - slack && inner.y >= outer.y - slack
    && inner.x + inner.w <= outer.x + outer.w + slack && inner.y + inner.h <= outer.y + outer.h + slack;
}

/** Where the ray from the rectangle's centre towards `toward` leaves the rectangle. */
export function borderPoint(r: Rect, toward: Point): Point {
  const c = center(r);
  const dx = toward.x - c.x;
  const dy = toward.y - c.y;
  if (dx === 0 && dy === 0) return c;
  const sx = dx === 0 ? Infinity : (r.w / 2) / Math.abs(dx);
  const sy = dy === 0 ? Infinity : (r.h / 2) / Math.abs(dy);
  const s = Math.min(sx, sy, 1);
  return { x: c.x + dx * s, y: c.y + dy * s };
}

/** A link between two boxes: from border to border along the line between their centres. */
export function link(a: Rect, b: Rect): { from: Point; to: Point } {
  return { from: borderPoint(a, center(b)), to: borderPoint(b, center(a)) };
}

/**
 * A point at `t` (0..1) on a gentle curve from `a` to `b`, bent sideways by `bend` pixels at its
 * middle (positive: to the left of the direction of travel), so a request and its response do
 * not travel on the same line.
 */
export function curvePoint(a: Point, b: Point, t: number, bend: number): Point {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const length = Math.hypot(dx, dy) || 1;
  // The control point of a quadratic Bézier whose middle is `bend` off the straight line.
  const cx = (a.x + b.x) / 2 + (dy / length) * bend * 2;
  const cy = (a.y + b.y) / 2 - (dx / length) * bend * 2;
  const u = 1 - t;
  return { x: u * u * a.x + 2 * u * t * cx + t * t * b.x, y: u * u * a.y + 2 * u * t * cy + t * t * b.y };
}

/**
 * The window of offsets a strip of `cells` cells shows for a partition whose replicas' logs span
 * [start, end): the newest offsets (a log grows at its end), all of them when they fit.
 */
export function offsetWindow(start: number, end: number, cells: number): { from: number; to: number } {
  const to = Math.max(end, start);
  const from = Math.max(start, to - Math.max(1, cells));
  return { from, to: Math.max(to, from + 1) };
}
