import { afterEach, describe, expect, it } from 'vitest';
import { MessageChannelTransport } from './messageChannelTransport';
import { ClientHub } from '../cluster/clientHub';
import { SimScheduler } from '../sim/scheduler';

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));
const open: MessagePort[] = [];
afterEach(() => {
  for (const port of open.splice(0)) port.close();
});

function pair(): [MessageChannelTransport, MessageChannelTransport, { a: unknown[]; b: unknown[]; downA: string[]; downB: string[] }] {
  const a = new MessageChannelTransport('broker-1');
  const b = new MessageChannelTransport('broker-2');
  const channel = new MessageChannel();
  open.push(channel.port1, channel.port2);
  a.connect('broker-2', channel.port1);
  b.connect('broker-1', channel.port2);
  const got = { a: [] as unknown[], b: [] as unknown[], downA: [] as string[], downB: [] as string[] };
  a.onReceive((_, m) => got.a.push(m));
  b.onReceive((_, m) => got.b.push(m));
  a.onPeerDown((p) => got.downA.push(p));
  b.onPeerDown((p) => got.downB.push(p));
  return [a, b, got];
}

describe('MessageChannelTransport across a network cut', () => {
  it('drops traffic both ways while blocked, and delivers again once healed', async () => {
    const [a, b, got] = pair();
    a.send('broker-2', 'before');
    await settle();
    expect(got.b).toEqual(['before']);
    // Only broker-1 is told of the cut: what broker-2 sends is dropped on arrival, what broker-1 sends never leaves.
    a.setBlocked(['broker-2']);
    a.send('broker-2', 'out');
    b.send('broker-1', 'in');
    await settle();
    expect(got.b).toEqual(['before']);
    expect(got.a).toEqual([]);
    expect(got.downA).toEqual([]); // silent: no refusal across a cut
    a.setBlocked([]);
    a.send('broker-2', 'after');
    b.send('broker-1', 'back');
    await settle();
    expect(got.b).toEqual(['before', 'after']);
    expect(got.a).toEqual(['back']);
  });

  it('drops on arrival what was already on the port when the cut came', async () => {
    const [a, b, got] = pair();
    b.send('broker-1', 'queued');
    a.setBlocked(['broker-2']);
    await settle();
    expect(got.a).toEqual([]);
  });

  it('tells no one of a peer that died across the cut; after healing, a send to it is refused', async () => {
    const [a, , got] = pair();
    a.setBlocked(['broker-2']);
    a.peerDown('broker-2');
    await settle();
    expect(got.downA).toEqual([]);
    a.setBlocked([]);
    a.send('broker-2', 'anyone?');
    await settle();
    expect(got.downA).toEqual(['broker-2']);
  });

  it('a peer that dies on this side is reported at once', async () => {
    const [a, , got] = pair();
    a.peerDown('broker-2');
    expect(got.downA).toEqual(['broker-2']);
  });
});

describe('ClientHub across a network cut', () => {
  it('keeps the page clients from a blocked broker both ways, silently', async () => {
    const hub = new ClientHub();
    const broker = new MessageChannelTransport('broker-3');
    const channel = new MessageChannel();
    open.push(channel.port1, channel.port2);
    hub.connect('broker-3', channel.port1);
    broker.connect('clients', channel.port2);
    const atBroker: unknown[] = [];
    broker.onReceive((from, m) => {
      atBroker.push(m);
      broker.send(from, `re:${String(m)}`);
    });
    const client = hub.transport('client-1');
    const atClient: unknown[] = [];
    const down: string[] = [];
    client.onReceive((_, m) => atClient.push(m));
    client.onPeerDown!((p) => down.push(p));
    client.send('broker-3', 'one');
    await settle();
    expect(atClient).toEqual(['re:one']);
    hub.setBlocked(['broker-3']);
    client.send('broker-3', 'two');
    broker.send('client-1', 'unasked');
    await settle();
    expect(atBroker).toEqual(['one']);
    expect(atClient).toEqual(['re:one']);
    hub.peerDown('broker-3');
    expect(down).toEqual([]);
  });
});

describe('MessageChannelTransport under the time controls', () => {
  it('stamps each envelope with the cluster time it was sent at', async () => {
    const clock = { now: () => 12_345, setTimer: () => ({ cancel: () => {} }) };
    const a = new MessageChannelTransport('broker-1', clock);
    const channel = new MessageChannel();
    open.push(channel.port1, channel.port2);
    a.connect('broker-2', channel.port1);
    const seen: unknown[] = [];
    channel.port2.onmessage = (event) => seen.push(event.data);
    a.send('broker-2', 'hi');
    await settle();
    expect(seen).toEqual([{ from: 'broker-1', to: 'broker-2', message: 'hi', sentAt: 12_345 }]);
  });

  it('paused, holds what arrives; a step delivers exactly one, in order; resume delivers the rest', async () => {
    const [a, b, got] = pair();
    b.inbox.setPaused(true);
    for (const m of ['one', 'two', 'three']) a.send('broker-2', m);
    await settle();
    expect(got.b).toEqual([]);
    expect(b.inbox.held()).toBe(3);
    expect(b.inbox.deliverOldest()?.message).toBe('one');
    expect(got.b).toEqual(['one']);
    expect(b.inbox.held()).toBe(2);
    // What the receiver sends meanwhile is not held at its own end: holding is at the receiver.
    b.send('broker-1', 'reply');
    await settle();
    expect(got.a).toEqual(['reply']);
    b.inbox.setPaused(false);
    expect(got.b).toEqual(['one', 'two', 'three']);
  });

  it('a cut made while a message was held drops it on delivery', async () => {
    const [a, b, got] = pair();
    b.inbox.setPaused(true);
    a.send('broker-2', 'held');
    await settle();
    b.setBlocked(['broker-1']);
    b.inbox.setPaused(false);
    expect(got.b).toEqual([]);
  });

  it('a peer that dies takes what it sent and was still held', async () => {
    const [a, b, got] = pair();
    b.inbox.setPaused(true);
    a.send('broker-2', 'lost');
    await settle();
    b.peerDown('broker-1');
    b.inbox.setPaused(false);
    expect(got.b).toEqual([]);
  });

  it('visual latency delays delivery on the cluster clock, keeping order', async () => {
    const scheduler = new SimScheduler();
    const clock = scheduler.clockFor('test');
    const a = new MessageChannelTransport('broker-1', clock);
    const b = new MessageChannelTransport('broker-2', clock);
    const channel = new MessageChannel();
    open.push(channel.port1, channel.port2);
    a.connect('broker-2', channel.port1);
    b.connect('broker-1', channel.port2);
    const got: unknown[] = [];
    b.onReceive((_, m) => got.push(m));
    b.inbox.setLatency(200);
    const t0 = scheduler.now;
    a.send('broker-2', 'x');
    await scheduler.runFor(100);
    a.send('broker-2', 'y');
    await settle();
    await scheduler.runUntil(t0 + 199);
    expect(got).toEqual([]);
    await scheduler.runUntil(t0 + 200);
    expect(got).toEqual(['x']);
    await scheduler.runUntil(t0 + 300);
    expect(got).toEqual(['x', 'y']);
  });
});

describe('ClientHub under the time controls', () => {
  it('holds responses for the page clients while paused and delivers one per step', async () => {
    const hub = new ClientHub();
    const broker = new MessageChannelTransport('broker-1');
    const channel = new MessageChannel();
    open.push(channel.port1, channel.port2);
    hub.connect('broker-1', channel.port1);
    broker.connect('clients', channel.port2);
    const client = hub.transport('client-1');
    const atClient: unknown[] = [];
    client.onReceive((_, m) => atClient.push(m));
    client.send('broker-1', 'hello'); // introduces client-1's route at the broker
    await settle();
    hub.inbox.setPaused(true);
    broker.send('client-1', 'r1');
    broker.send('client-1', 'r2');
    await settle();
    expect(atClient).toEqual([]);
    expect(hub.inbox.deliverOldest()?.message).toBe('r1');
    expect(atClient).toEqual(['r1']);
    hub.inbox.setPaused(false);
    expect(atClient).toEqual(['r1', 'r2']);
  });
});
