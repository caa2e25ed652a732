import { describe, expect, it } from 'vitest';
import { SimNetwork } from './network';
import { SeededRandom } from './random';
import { SimScheduler } from './scheduler';

function setup() {
  const scheduler = new SimScheduler();
  const network = new SimNetwork(scheduler, new SeededRandom(42), { minLatencyMs: 1, maxLatencyMs: 1, dropRate: 0 });
  const received: { to: string; from: string; message: unknown; at: number }[] = [];
  const nodes = ['a', 'b', 'c'].map((name) => {
    const transport = network.attach(name);
    transport.onReceive((from, message) => received.push({ to: name, from, message, at: scheduler.now }));
    return transport;
  });
  return { scheduler, network, received, nodes, start: scheduler.now };
}

describe('SimNetwork faults', () => {
  it('isolates a node both ways until it rejoins, without telling its peers it died', async () => {
    const { scheduler, network, received, nodes: [a, b, c] } = setup();
    let peerDown = 0;
    b.onPeerDown!(() => peerDown++);
    network.isolate('a');
    a.send('b', 1);
    b.send('a', 2);
    c.send('b', 3);
    await scheduler.runFor(10);
    expect(received.map((r) => r.message)).toEqual([3]);
    expect(peerDown).toBe(0);
    // A message in flight when the isolation starts is lost too.
    b.send('a', 4);
    network.isolate('a');
    await scheduler.runFor(10);
    network.rejoin('a');
    b.send('a', 5);
    await scheduler.runFor(10);
    expect(received.map((r) => r.message)).toEqual([3, 5]);
    expect(network.dropped).toBe(3);
  });

  it('drops and delays messages on a faulty link only, keeping the link FIFO', async () => {
    const { scheduler, network, received, nodes: [a, , c], start } = setup();
    network.setLinkFaults('a', 'b', { dropRate: 0.5, extraLatencyMs: 200 });
    for (let i = 0; i < 100; i++) a.send('b', i);
    for (let i = 0; i < 10; i++) c.send('b', `c${i}`);
    await scheduler.runFor(1000);
    const fromA = received.filter((r) => r.from === 'a').map((r) => r.message as number);
    expect(fromA.length).toBeGreaterThan(25);
    expect(fromA.length).toBeLessThan(75);
    expect(fromA).toEqual([...fromA].sort((x, y) => x - y));
    expect(Math.max(...received.filter((r) => r.from === 'a').map((r) => r.at - start))).toBeGreaterThan(100);
    expect(received.filter((r) => r.from === 'c').map((r) => r.message)).toHaveLength(10);
    expect(received.filter((r) => r.from === 'c').every((r) => r.at - start <= 1)).toBe(true);
    // heal() ends link faults as well as cuts and isolations.
    network.heal();
    received.length = 0;
    for (let i = 0; i < 20; i++) a.send('b', i);
    await scheduler.runFor(10);
    expect(received).toHaveLength(20);
  });
});
