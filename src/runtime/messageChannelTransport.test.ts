import { afterEach, describe, expect, it } from 'vitest';
import { MessageChannelTransport } from './messageChannelTransport';
import { ClientHub } from '../cluster/clientHub';

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
