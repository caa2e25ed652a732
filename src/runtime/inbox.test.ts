import { describe, expect, it } from 'vitest';
import { SimScheduler } from '../sim/scheduler';
import { Inbox } from './inbox';

interface Msg { sentAt: number; id: string }

function setup() {
  const scheduler = new SimScheduler();
  const clock = scheduler.clockFor('inbox');
  const delivered: string[] = [];
  const inbox = new Inbox<string, Msg>(clock, (m, link) => delivered.push(`${link}:${m.id}`));
  const t0 = scheduler.now;
  return { scheduler, clock, delivered, inbox, t0 };
}

describe('Inbox', () => {
  it('delivers at once while playing with no latency, holding nothing', () => {
    const { inbox, delivered, t0 } = setup();
    inbox.arrive('a', { sentAt: t0, id: '1' });
    expect(delivered).toEqual(['a:1']);
    expect(inbox.held()).toBe(0);
  });

  it('holds everything while paused and delivers it on resume, oldest send first, FIFO per link', () => {
    const { inbox, delivered, t0 } = setup();
    inbox.setPaused(true);
    inbox.arrive('a', { sentAt: t0 + 5, id: 'a1' });
    inbox.arrive('b', { sentAt: t0 + 1, id: 'b1' });
    inbox.arrive('a', { sentAt: t0 + 2, id: 'a2' }); // behind a1 on its link: never before it
    inbox.arrive('b', { sentAt: t0 + 9, id: 'b2' });
    expect(delivered).toEqual([]);
    expect(inbox.held()).toBe(4);
    expect(inbox.oldest()).toBe(t0 + 1);
    inbox.setPaused(false);
    expect(delivered).toEqual(['b:b1', 'a:a1', 'a:a2', 'b:b2']);
    expect(inbox.held()).toBe(0);
  });

  it('a step delivers exactly the oldest link head, and then the next', () => {
    const { inbox, delivered, t0 } = setup();
    inbox.setPaused(true);
    inbox.arrive('a', { sentAt: t0 + 3, id: 'a1' });
    inbox.arrive('b', { sentAt: t0 + 1, id: 'b1' });
    inbox.arrive('b', { sentAt: t0 + 2, id: 'b2' });
    expect(inbox.deliverOldest()?.id).toBe('b1');
    expect(delivered).toEqual(['b:b1']);
    expect(inbox.held()).toBe(2);
    expect(inbox.deliverOldest()?.id).toBe('b2');
    expect(inbox.deliverOldest()?.id).toBe('a1');
    expect(inbox.deliverOldest()).toBeNull();
    expect(delivered).toEqual(['b:b1', 'b:b2', 'a:a1']);
  });

  it('visual latency: a message waits until its send time plus the latency on the cluster clock', async () => {
    const { inbox, delivered, scheduler, t0 } = setup();
    inbox.setLatency(200);
    inbox.arrive('a', { sentAt: t0, id: '1' });
    inbox.arrive('a', { sentAt: t0 + 50, id: '2' });
    await scheduler.runUntil(t0 + 199);
    expect(delivered).toEqual([]);
    await scheduler.runUntil(t0 + 200);
    expect(delivered).toEqual(['a:1']);
    await scheduler.runUntil(t0 + 250);
    expect(delivered).toEqual(['a:1', 'a:2']);
  });

  it('lowering the latency never lets a later message overtake an earlier one on the same link', async () => {
    const { inbox, delivered, scheduler, t0 } = setup();
    inbox.setLatency(1000);
    inbox.arrive('a', { sentAt: t0, id: 'slow' });
    await scheduler.runUntil(t0 + 100);
    inbox.setLatency(10);
    // Due at once (t0 + 10 has passed) and so is the new one below: still in order.
    inbox.arrive('a', { sentAt: t0 + 100, id: 'fast' });
    await scheduler.runUntil(t0 + 120);
    expect(delivered).toEqual(['a:slow', 'a:fast']);
  });

  it('a message sent later on a link waits behind an earlier one whose latency is longer', async () => {
    const { inbox, delivered, scheduler, t0 } = setup();
    inbox.setPaused(true);
    inbox.arrive('a', { sentAt: t0 + 40, id: 'first' });
    inbox.arrive('a', { sentAt: t0 + 10, id: 'second' }); // a skewed sender clock: arrival order wins
    inbox.setLatency(100);
    inbox.setPaused(false);
    await scheduler.runUntil(t0 + 139);
    expect(delivered).toEqual([]);
    await scheduler.runUntil(t0 + 140);
    expect(delivered).toEqual(['a:first', 'a:second']);
  });

  it('pausing stops latency deliveries; a step ignores the latency', async () => {
    const { inbox, delivered, scheduler, t0 } = setup();
    inbox.setLatency(500);
    inbox.arrive('a', { sentAt: t0, id: '1' });
    inbox.setPaused(true);
    await scheduler.runUntil(t0 + 1000);
    expect(delivered).toEqual([]);
    expect(inbox.deliverOldest()?.id).toBe('1');
    expect(delivered).toEqual(['a:1']);
  });

  it('a dropped link loses what waited on it', () => {
    const { inbox, delivered, t0 } = setup();
    inbox.setPaused(true);
    inbox.arrive('a', { sentAt: t0, id: 'lost' });
    inbox.arrive('b', { sentAt: t0, id: 'kept' });
    inbox.dropLink('a');
    inbox.setPaused(false);
    expect(delivered).toEqual(['b:kept']);
  });
});
