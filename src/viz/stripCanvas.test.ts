import { describe, expect, it } from 'vitest';
import type { ReplicaModel } from './model';
import { drawStrip, stripColours, type StripColours, type StripRow } from './stripCanvas';

/** A 2D context that records what is filled and stroked, in which colour. */
function recorder() {
  const calls: string[] = [];
  const ctx = {
    fillStyle: '', strokeStyle: '', lineWidth: 1, globalAlpha: 1,
    fillRect(x: number, _y: number, w: number) { calls.push(`fill ${ctx.fillStyle} ${x.toFixed(0)}+${w.toFixed(0)} a${ctx.globalAlpha}`); },
    strokeRect() { calls.push(`outline ${ctx.strokeStyle}`); },
    setLineDash(dash: number[]) { if (dash.length) calls.push('dashed'); },
    beginPath() {}, moveTo() {}, lineTo() {}, rect() {}, clip() {}, save() {}, restore() {},
    stroke() { calls.push(`stroke ${ctx.strokeStyle}`); },
  };
  return { ctx: ctx as unknown as CanvasRenderingContext2D, calls };
}

const colours: StripColours = stripColours({ getPropertyValue: (name: string) => (name === '--committed' ? ' #123456 ' : '') });
const replica = (extra: Partial<ReplicaModel> = {}): ReplicaModel => ({
  topic: 'demo', partition: 0, leader: false, role: 'follower', leaderEpoch: 1, inIsr: true, reported: true,
  logStartOffset: 0, logEndOffset: 10, highWatermark: 8, appended: 0, span: { start: 0, end: 10 },
  leftIsr: null, truncation: null, elected: null, ...extra,
});
const row = (r: ReplicaModel, alive = true): StripRow => ({ replica: r, alive, row: { x: 0, y: 0, w: 100, h: 8 }, mode: 'mini' });

describe('the strips canvas', () => {
  it('reads the theme from CSS variables, with the light theme where one is missing', () => {
    expect(colours.committed).toBe('#123456');
    expect(colours.leaderCommitted).toBe('#e0a340');
  });

  it('fills the records below the high watermark in the role colour, and marks the high watermark', () => {
    const follower = recorder();
    drawStrip(follower.ctx, row(replica()), colours, true);
    expect(follower.calls).toContain('fill #123456 0+80 a1');
    expect(follower.calls).toContain(`stroke ${colours.hwMark}`);
    const leader = recorder();
    drawStrip(leader.ctx, row(replica({ leader: true })), colours, true);
    expect(leader.calls).toContain(`fill ${colours.leaderCommitted} 0+80 a1`);
    const dead = recorder();
    drawStrip(dead.ctx, row(replica(), false), colours, true);
    expect(dead.calls).toContain(`fill ${colours.deadFill} 0+80 a1`);
  });

  it('outlines a replica out of the ISR in dashed red, and flashes the newest record only while fresh and motion is welcome', () => {
    const out = recorder();
    drawStrip(out.ctx, row(replica({ inIsr: false })), colours, true);
    expect(out.calls).toContain('dashed');
    expect(out.calls).toContain(`outline ${colours.bad}`);
    const fresh = recorder();
    drawStrip(fresh.ctx, row(replica({ appended: 0.5 })), colours, true);
    expect(fresh.calls.some((c) => c.startsWith(`fill ${colours.pending}`) && c.endsWith('a0.475'))).toBe(true);
    const still = recorder();
    drawStrip(still.ctx, row(replica({ appended: 0.5 })), colours, false);
    expect(still.calls.some((c) => c.startsWith(`fill ${colours.pending}`))).toBe(false);
  });
});
