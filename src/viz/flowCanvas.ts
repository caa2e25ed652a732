/**
 * The records in flight, drawn on one canvas by one requestAnimationFrame loop: each frame
 * reads the cluster clock and the flow buffer and draws where every message is (particles.ts).
 * Nothing here goes through React: the stage hands it getters once, and it writes its counts
 * into data attributes and a status line itself.
 */
import type { FlowBuffer } from '../store/flows';
import { computeFrame, rateWidth, type AnchorOf, type Frame } from './particles';
import { routePoint } from './geometry';

export interface FlowCanvasSource {
  buffer(): FlowBuffer;
  /** The cluster clock (host.now()): stops when paused, runs at the chosen speed. */
  now(): number;
  /** The clock's chosen speed (0 is taken as paused). */
  speed(): number;
  /** The clock is stopped (pause; step moves it on). */
  paused(): boolean;
  /** Visual mode's per-hop latency in cluster milliseconds; 0 when off. */
  visualLatency(): number;
  anchorOf(): AnchorOf;
  /** Addresses to keep bright (the selection); null: all. */
  highlighted(): ReadonlySet<string> | null;
}

export interface FlowCanvasOptions {
  /** The element that gets data-in-flight, data-flow-mode, data-drawn and data-drawn-produce. */
  host: HTMLElement;
  /** A status line: how many messages are in flight and how they are drawn. */
  status?: HTMLElement | null;
  /** Above this many in flight, draw rates. */
  threshold?: number;
  /** Wall milliseconds a hop is drawn at least. */
  minVisibleWallMs?: number;
}

export const DEFAULT_THRESHOLD = 300;
const MIN_VISIBLE_WALL_MS = 450;
const STATUS_EVERY_MS = 250;

/** Sizes a canvas to `width` × `height` CSS pixels, drawn at the screen's pixel density; returns that density. */
export function sizeCanvas(canvas: HTMLCanvasElement, width: number, height: number): number {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.round(width * dpr);
  const h = Math.round(height * dpr);
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
  }
  return dpr;
}

const formatRate = (n: number): string => (n >= 1000 ? `${(n / 1000).toFixed(1)}k/s` : n >= 10 ? `${Math.round(n)}/s` : `${n.toFixed(1)}/s`);

export function createFlowCanvas(canvas: HTMLCanvasElement, source: FlowCanvasSource, options: FlowCanvasOptions): { update(size: { width: number; height: number }): void; destroy(): void } {
  const ctx = canvas.getContext('2d');
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const minWall = options.minVisibleWallMs ?? MIN_VISIBLE_WALL_MS;
  const motion = typeof matchMedia === 'function' ? matchMedia('(prefers-reduced-motion: reduce)') : null;
  let width = 0;
  let height = 0;
  let frameId = 0;
  let lastSpeed = 1;
  let lastKey = '';
  let dirty = true;
  let lastStatus = 0;
  let drawn = 0;
  let drawnProduce = 0;
  const seen = new WeakSet<object>();
  let lastAttrs = '';
  // Scrolled out of sight, the stage costs no frames; back in sight, it draws the present at once.
  let onScreen = true;
  const visibility = typeof IntersectionObserver === 'function'
    ? new IntersectionObserver((entries) => {
      onScreen = entries[entries.length - 1].isIntersecting;
      dirty = true;
    })
    : null;
  visibility?.observe(options.host);

  const draw = (frame: Frame, highlighted: ReadonlySet<string> | null) => {
    if (!ctx) return;
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const dim = (a: string, b: string) => highlighted !== null && !highlighted.has(a) && !highlighted.has(b);
    if (frame.mode === 'rates') {
      ctx.lineCap = 'round';
      for (const [i, rate] of frame.rates.entries()) {
        ctx.globalAlpha = dim(rate.fromAddress, rate.toAddress) ? 0.15 : 0.55;
        ctx.strokeStyle = rate.colour;
        ctx.lineWidth = rateWidth(rate.perSecond);
        const { from, c1, c2, to } = rate.route;
        ctx.beginPath();
        ctx.moveTo(from.x, from.y);
        ctx.bezierCurveTo(c1.x, c1.y, c2.x, c2.y, to.x, to.y);
        ctx.stroke();
        if (i < 10) {
          const mid = routePoint(rate.route, 0.5);
          ctx.globalAlpha = 0.9;
          ctx.fillStyle = rate.colour;
          ctx.font = '10px ui-monospace, monospace';
          ctx.fillText(formatRate(rate.perSecond), mid.x + 4, mid.y - 4);
        }
      }
      ctx.globalAlpha = 1;
      return;
    }
    for (const dot of frame.dots) {
      const m = dot.message;
      ctx.globalAlpha = dot.alpha * (dim(m.from, m.to) ? 0.2 : 1);
      ctx.fillStyle = dot.colour;
      ctx.strokeStyle = dot.colour;
      if (dot.shape === 'batch') {
        const w = dot.size;
        const h = Math.max(5, w * 0.7);
        ctx.beginPath();
        ctx.roundRect(dot.x - w / 2, dot.y - h / 2, w, h, 2);
        ctx.fill();
        ctx.lineWidth = 1;
        ctx.strokeStyle = 'rgba(0,0,0,0.35)';
        ctx.stroke();
      } else if (dot.shape === 'ring') {
        ctx.lineWidth = 1.6;
        ctx.beginPath();
        ctx.arc(dot.x, dot.y, dot.size / 2, 0, Math.PI * 2);
        ctx.stroke();
      } else {
        ctx.beginPath();
        ctx.arc(dot.x, dot.y, dot.size / 2, 0, Math.PI * 2);
        ctx.fill();
      }
      if (dot.dropped && dot.alpha < 1) {
        // Lost at the break: a cross where it stopped.
        ctx.lineWidth = 1.5;
        ctx.strokeStyle = dot.colour;
        ctx.beginPath();
        ctx.moveTo(dot.x - 4, dot.y - 4);
        ctx.lineTo(dot.x + 4, dot.y + 4);
        ctx.moveTo(dot.x + 4, dot.y - 4);
        ctx.lineTo(dot.x - 4, dot.y + 4);
        ctx.stroke();
      }
    }
    ctx.globalAlpha = 1;
  };

  const loop = () => {
    frameId = requestAnimationFrame(loop);
    if (!onScreen) return;
    const buffer = source.buffer();
    const now = source.now();
    const speed = source.speed();
    if (speed > 0) lastSpeed = speed;
    const reducedMotion = motion?.matches ?? false;
    const highlighted = source.highlighted();
    const anchorOf = source.anchorOf();
    // Nothing moved (paused, nothing new): keep the last picture.
    const key = `${now}|${buffer.version}|${width}x${height}|${reducedMotion}|${source.visualLatency()}|${source.paused()}`;
    if (key === lastKey && !dirty) return;
    lastKey = key;
    dirty = false;
    // Visual mode makes every hop slow enough to see: then each is drawn at its true times.
    const visual = source.visualLatency();
    const minVisibleMs = visual > 0 ? Math.min(visual, minWall * lastSpeed) : minWall * lastSpeed;
    const frame = computeFrame(buffer, anchorOf, { now, minVisibleMs, threshold, reducedMotion, rateWindowMs: 1000 * lastSpeed });
    for (const dot of frame.dots) {
      if (seen.has(dot.message)) continue;
      seen.add(dot.message);
      drawn++;
      if (dot.message.api === 'Produce' && dot.message.kind === 'request') drawnProduce++;
    }
    draw(frame, highlighted);
    const attrs = `${frame.inFlight}|${frame.mode}|${drawn}|${drawnProduce}`;
    if (attrs !== lastAttrs) {
      lastAttrs = attrs;
      options.host.dataset.inFlight = String(frame.inFlight);
      options.host.dataset.flowMode = frame.mode;
      options.host.dataset.drawn = String(drawn);
      options.host.dataset.drawnProduce = String(drawnProduce);
    }
    const wall = performance.now();
    const paused = speed === 0 || source.paused();
    // While paused this may be the last frame drawn for a while: it always says so.
    if (options.status && (paused || wall - lastStatus > STATUS_EVERY_MS)) {
      lastStatus = wall;
      const why = reducedMotion ? ' (reduced motion: rates per pair of nodes)' : frame.mode === 'rates' ? ` (over ${threshold}: rates per pair of nodes)` : '';
      const timing = visual > 0 ? ' · true hop times (visual mode)' : ` · each hop drawn at least ${(minWall / 1000).toFixed(2)} s`;
      const text = `${frame.inFlight} message${frame.inFlight === 1 ? '' : 's'} in flight${why}${paused ? ' · paused: held where they are' : timing}`;
      if (options.status.textContent !== text) options.status.textContent = text;
    }
  };
  frameId = requestAnimationFrame(loop);

  return {
    /** A new size, or a new layout or selection at the same size: redraws on the next frame. */
    update(size) {
      dirty = true;
      if (size.width === width && size.height === height) return;
      width = size.width;
      height = size.height;
      sizeCanvas(canvas, width, height);
    },
    destroy() {
      cancelAnimationFrame(frameId);
      visibility?.disconnect();
    },
  };
}
