import { describe, expect, it } from 'vitest';
import { applyScenario, type ScenarioProgress } from './apply';
import { SAMPLE_SCENARIO } from './sample';
import type { Scenario } from './scenario';
import { fakeApi, fakeDescription } from './testing';
import { orderedFollowers, resolveClient, resolveNode } from './targets';

/** A cluster clock that runs 200× faster than the wall, so a schedule of seconds takes milliseconds. */
function fastClock(): () => number {
  const start = Date.now();
  return () => 1_000_000 + (Date.now() - start) * 200;
}

describe('resolving targets', () => {
  const description = fakeDescription({
    brokers: 3, controllers: 3, active: 1001, dead: [3],
    topics: { orders: [{ leader: 2, isr: [2, 1], replicas: [3, 2, 1] }, { leader: -1, isr: [1] }] },
  });

  it('finds leaders, in-sync live followers first, controllers, refs and clients', () => {
    expect(resolveNode('leader:orders/0', description, new Map())).toBe(2);
    expect(resolveNode('follower:orders/0', description, new Map())).toBe(1);
    expect(resolveNode('follower:orders/0/1', description, new Map())).toBe(3);
    expect(resolveNode('controller:active', description, new Map())).toBe(1001);
    expect(resolveNode('controller:standby', description, new Map())).toBe(1000);
    expect(resolveNode('$old', description, new Map([['old', 3]]))).toBe(3);
    expect(resolveNode(2, description, new Map())).toBe(2);
    expect(resolveClient('client:1', ['producer-4', 'consumer-2'], new Map())).toBe('consumer-2');
    expect(orderedFollowers([1, 2, 3, 4], [4, 1], 1, [{ id: 2, alive: true }, { id: 3, alive: false }, { id: 4, alive: true }])).toEqual([4, 2, 3]);
  });

  it('says why a target cannot be found now', () => {
    expect(() => resolveNode('leader:orders/1', description, new Map())).toThrow('orders-1 has no leader (offline)');
    expect(() => resolveNode('leader:payments/0', description, new Map())).toThrow('payments-0 does not exist (yet)');
    expect(() => resolveNode('controller:active', fakeDescription({ active: null }), new Map())).toThrow('there is no active controller now');
    expect(() => resolveNode('$old', description, new Map())).toThrow('$old was not set by an earlier fault');
    expect(() => resolveClient('client:3', ['producer-1'], new Map())).toThrow('client:3 was not started');
  });
});

describe('applyScenario', () => {
  it('resets to the shape, creates the topics with their configs, starts the clients, then runs each fault in order on the cluster clock', async () => {
    const api = fakeApi(fakeDescription({ brokers: 3, controllers: 3, active: 1002, topics: { orders: [{ leader: 2, isr: [1, 2, 3] }, { leader: 3, isr: [1, 2, 3] }, { leader: 1, isr: [1, 2, 3] }] } }));
    const progress: ScenarioProgress[] = [];
    const result = await applyScenario(api, SAMPLE_SCENARIO, { now: fastClock(), onProgress: (p) => progress.push(p) });
    expect(api.calls).toEqual([
      'reset {"brokers":3,"controllers":3,"demo":false}',
      'admin.connect',
      'createTopics [{"topic":"orders","numPartitions":3,"replicationFactor":3,"configEntries":[{"name":"min.insync.replicas","value":"2"},{"name":"unclean.leader.election.enable","value":"false"}]}]',
      'admin.disconnect',
      'startProducer {"topic":"orders","ratePerSec":5,"acks":-1,"idempotent":true,"keys":["alice","bob"]}',
      'startConsumer {"groupId":"billing","topics":["orders"],"sessionTimeout":6000,"heartbeatInterval":1000}',
      'killBroker 2',
      'isolate 1002',
      'heal',
      'restartBroker 2',
      'partition [[1,1000],[2,3]] clientsWith 2',
      'killClient consumer-1',
      'setSpeed 2',
    ]);
    expect(result.clientIds).toEqual(['producer-1', 'consumer-1']);
    // Each fault ran no earlier than its time.
    result.faults.forEach((f) => expect(f.atMs).toBeGreaterThanOrEqual(f.fault.atMs));
    expect(result.faults[0].text).toBe('kill the leader of orders-0 (remembered as $old) → broker 2');
    expect(progress.map((p) => p.phase)).toEqual(['reset', 'topics', 'clients', 'fault', 'fault', 'fault', 'fault', 'fault', 'fault', 'fault', 'done']);
  });

  it('reports a fault whose target cannot be found and runs the rest', async () => {
    const api = fakeApi(fakeDescription({ brokers: 3, controllers: 3, active: null }));
    const scenario: Scenario = {
      version: 1, cluster: { brokers: 3, controllers: 3 }, topics: [], clients: [],
      faults: [{ atMs: 10, action: 'killController', target: 'controller:active' }, { atMs: 20, action: 'killBroker', target: 3 }],
    };
    const result = await applyScenario(api, scenario, { now: fastClock() });
    expect(result.faults[0].error).toBe('there is no active controller now (an election is under way)');
    expect(api.calls.at(-1)).toBe('killBroker 3');
  });

  it('validates the scenario again and builds nothing from a bad one', async () => {
    const api = fakeApi(fakeDescription({}));
    await expect(applyScenario(api, { ...SAMPLE_SCENARIO, cluster: { brokers: 0, controllers: 1 } })).rejects.toThrow('cluster.brokers');
    expect(api.calls).toEqual([]);
  });

  it('stops between faults when aborted', async () => {
    const api = fakeApi(fakeDescription({ topics: {} }));
    const controller = new AbortController();
    const scenario: Scenario = { version: 1, cluster: { brokers: 3, controllers: 1 }, topics: [], clients: [], faults: [{ atMs: 0, action: 'heal' }, { atMs: 600_000, action: 'killBroker', target: 1 }] };
    const running = applyScenario(api, scenario, { now: () => 0, onProgress: (p) => { if (p.phase === 'fault') controller.abort(); }, signal: controller.signal });
    await expect(running).rejects.toMatchObject({ name: 'AbortError' });
    expect(api.calls).toEqual(['reset {"brokers":3,"controllers":1,"demo":false}', 'heal']);
  });
});
