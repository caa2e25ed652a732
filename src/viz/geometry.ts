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

/** A cubic Bézier: where a message travels, through the free space between boxes. */
export interface Route { from: Point; c1: Point; c2: Point; to: Point }

/** The cubic that draws the same curve as the quadratic with this control point. */
function quadratic(from: Point, control: Point, to: Point): Route {
  return {
    from, to,
    c1: { x: from.x + (2 / 3) * (control.x - from.x), y: from.y + (2 / 3) * (control.y - from.y) },
    c2: { x: to.x + (2 / 3) * (control.x - to.x), y: to.y + (2 / 3) * (control.y - to.y) },
  };
}

export function routePoint(route: Route, t: number): Point {
  const u = 1 - t;
  const a = u * u * u;
  const b = 3 * u * u * t;
  const c = 3 * u * t * t;
  const d = t * t * t;
  return {
    x: a * route.from.x + b * route.c1.x + c * route.c2.x + d * route.to.x,
    y: a * route.from.y + b * route.c1.y + c * route.c2.y + d * route.to.y,
  };
}

/**
 * What a box on the stage is, for routing: a client in the left or right column, a broker, a
 * controller (above the brokers).
 */
export type AnchorKind = 'client-left' | 'client-right' | 'broker' | 'controller';
export interface Anchor { rect: Rect; kind: AnchorKind }

const top = (r: Rect, x = r.x + r.w / 2): Point => ({ x, y: r.y });
const bottom = (r: Rect): Point => ({ x: r.x + r.w / 2, y: r.y + r.h });

/**
 * How a message travels between two boxes, through the gaps rather than across other boxes:
 * brokers arc over their tops (through the band under the quorum), controllers under their
 * bottoms, controller and broker meet across that band, and clients come from their column's
 * edge over the brokers' tops. `lane` (+1 request, -1 response) moves the two directions
 * apart so a round trip reads as two lanes.
 */
export function route(a: Anchor, b: Anchor, lane: number): Route {
  const shift = lane * 4;
  if (a.kind === 'broker' && b.kind === 'broker') {
    const from = top(a.rect, a.rect.x + a.rect.w / 2 + shift);
    const to = top(b.rect, b.rect.x + b.rect.w / 2 + shift);
    const lift = clamp(16 + Math.abs(to.x - from.x) * 0.06, 16, 32) + shift;
    return quadratic(from, { x: (from.x + to.x) / 2, y: Math.min(from.y, to.y) - lift }, to);
  }
  if (a.kind === 'controller' && b.kind === 'controller') {
    const from = bottom(a.rect);
    const to = bottom(b.rect);
    const drop = clamp(14 + Math.abs(to.x - from.x) * 0.05, 14, 30) + shift;
    return quadratic({ x: from.x + shift, y: from.y }, { x: (from.x + to.x) / 2, y: Math.max(from.y, to.y) + drop }, { x: to.x + shift, y: to.y });
  }
  if ((a.kind === 'controller' && b.kind === 'broker') || (a.kind === 'broker' && b.kind === 'controller')) {
    const c = a.kind === 'controller' ? a.rect : b.rect;
    const k = a.kind === 'broker' ? a.rect : b.rect;
    const up = { x: c.x + c.w / 2 + shift * 2, y: c.y + c.h };
    const down = top(k, k.x + k.w / 2 + shift * 2);
    const [from, to] = a.kind === 'controller' ? [up, down] : [down, up];
    return quadratic(from, { x: (from.x + to.x) / 2 + shift * 2, y: (from.y + to.y) / 2 }, to);
  }
  const client = a.kind === 'client-left' || a.kind === 'client-right' ? a : b;
  const other = client === a ? b : a;
  const left = client.kind === 'client-left';
  const edge = { x: left ? client.rect.x + client.rect.w : client.rect.x, y: client.rect.y + client.rect.h / 2 + shift };
  let end: Point;
  if (other.kind === 'broker') {
    const inset = Math.min(28, other.rect.w / 4);
    end = top(other.rect, left ? other.rect.x + inset + shift : other.rect.x + other.rect.w - inset + shift);
  } else if (other.kind === 'controller') {
    end = { x: left ? other.rect.x : other.rect.x + other.rect.w, y: other.rect.y + other.rect.h / 2 + shift };
  } else {
    end = { x: left ? other.rect.x + other.rect.w : other.rect.x, y: other.rect.y + other.rect.h / 2 };
  }
  // Up through the gap beside the client's column, then along the band over the brokers' tops.
  const out = edge.x + (left ? 30 : -30);
  const high = (other.kind === 'broker' ? end.y - 52 : Math.min(edge.y, end.y) - 24) + shift;
  const c1 = { x: out, y: high };
  const c2 = { x: out + (end.x - out) * 0.25, y: high };
  return client === a ? { from: edge, c1, c2, to: end } : { from: end, c1: c2, c2: c1, to: edge };
}
