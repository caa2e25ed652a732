import { describe, expect, it } from 'vitest';
import { ScenarioError, validateScenario } from './scenario';
import { SAMPLE_SCENARIO as sample } from './sample';
import { summarizeScenario } from './summary';


const withChange = (change: (s: any) => void): unknown => {
  const copy = JSON.parse(JSON.stringify(sample));
  change(copy);
  return copy;
};

const problem = (value: unknown): string => {
  try {
    validateScenario(value);
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as Error).message;
  }
  throw new Error('accepted');
};

describe('validateScenario', () => {
  it('accepts a full scenario and returns an equal, separate copy', () => {
    const checked = validateScenario(sample);
    expect(checked).toEqual(sample);
    expect(checked).not.toBe(sample);
    expect(checked.clients[0]).not.toBe(sample.clients[0]);
  });

  it('fills the optional lists and drops nothing it checked', () => {
    expect(validateScenario({ version: 1, cluster: { brokers: 1, controllers: 1 } })).toEqual({ version: 1, cluster: { brokers: 1, controllers: 1 }, topics: [], clients: [], faults: [] });
  });

  it.each([
    ['not an object', 'a string', 'scenario: must be an object'],
    ['a newer version', withChange((s) => { s.version = 2; }), 'version: this playground reads scenario version 1, got 2 (made by a newer playground)'],
    ['an unknown field', withChange((s) => { s.script = 'alert(1)'; }), 'scenario: unknown field "script"'],
    ['too many brokers', withChange((s) => { s.cluster.brokers = 12; }), 'cluster.brokers: must be an integer from 1 to 9, got 12'],
    ['a fractional controller count', withChange((s) => { s.cluster.controllers = 1.5; }), 'cluster.controllers: must be an integer from 1 to 5, got 1.5'],
    ['a bad topic name', withChange((s) => { s.topics[0].name = 'no spaces'; }), 'topics[0].name: INVALID_TOPIC_EXCEPTION: Topic name "no spaces" is illegal'],
    ['an internal topic', withChange((s) => { s.topics[0].name = '__consumer_offsets'; }), 'topics[0].name: "__consumer_offsets" is an internal topic\'s name'],
    ['RF above the brokers', withChange((s) => { s.cluster.brokers = 2; s.faults = []; }), 'topics[0].replicationFactor: 3 is more than the 2 brokers of the cluster (CreateTopics would fail with INVALID_REPLICATION_FACTOR)'],
    ['an unknown config', withChange((s) => { s.topics[0].configs['retention.forever'] = 'yes'; }), 'topics[0].configs.retention.forever: INVALID_CONFIG: Unknown topic config name: retention.forever'],
    ['a bad config value', withChange((s) => { s.topics[0].configs['min.insync.replicas'] = 'two'; }), 'topics[0].configs.min.insync.replicas: INVALID_CONFIG: Invalid value two for configuration min.insync.replicas'],
    ['min.insync.replicas above RF', withChange((s) => { s.topics[0].configs['min.insync.replicas'] = '4'; }), 'topics[0].configs.min.insync.replicas: 4 is more than the replication factor 3'],
    ['a topic twice', withChange((s) => { s.topics.push({ ...s.topics[0] }); }), 'topics[1].name: "orders" is named twice'],
    ['a client kind', withChange((s) => { s.clients[0].kind = 'streams'; }), 'clients[0].kind: must be "producer" or "consumer", got "streams"'],
    ['a producer option', withChange((s) => { s.clients[0].acks = 2; }), 'clients[0]: acks must be -1 (all), 1 (the leader) or 0 (no reply), got 2'],
    ['an unknown producer option', withChange((s) => { s.clients[0].onSend = 'x'; }), 'clients[0]: unknown option "onSend"'],
    ['a consumer session timeout', withChange((s) => { s.clients[1].sessionTimeout = 100; }), 'clients[1]: sessionTimeout 100 is outside'],
    ['a client on an unknown topic', withChange((s) => { s.clients[1].topics = ['payments']; }), 'clients[1]: topic "payments" is not one of the scenario\'s topics (orders)'],
    ['an unknown action', withChange((s) => { s.faults[0].action = 'explode'; }), 'faults[0].action: unknown action "explode" (known: killBroker,'],
    ['a negative time', withChange((s) => { s.faults[0].atMs = -5; }), 'faults[0].atMs: must be an integer from 0 to 600000, got -5'],
    ['faults out of order', withChange((s) => { s.faults[1].atMs = 1000; }), 'faults[1].atMs: 1000 comes before the previous fault\'s 2000'],
    ['a broker that is not there', withChange((s) => { s.faults[0].target = 7; }), 'faults[0].target: 7 is not a broker of this cluster (brokers: 1..3)'],
    ['a controller as a broker', withChange((s) => { s.faults[0].target = 'controller:active'; }), 'faults[0].target: killBroker needs a broker, got controller:active'],
    ['a malformed target', withChange((s) => { s.faults[0].target = 'the leader'; }), "faults[0].target: must be a node id (1, 1000), 'leader:<topic>/<partition>'"],
    ['a partition that is not there', withChange((s) => { s.faults[0].target = 'leader:orders/3'; }), 'faults[0].target: orders has partitions 0..2, not 3'],
    ['an undefined reference', withChange((s) => { s.faults[3].target = '$gone'; }), 'faults[3].target: "$gone" names no earlier fault\'s "as" ($old)'],
    ['a client that is not there', withChange((s) => { s.faults[5].target = 'client:2'; }), 'faults[5].target: client:2 does not exist: the scenario has 2 clients'],
    ['a node as a client', withChange((s) => { s.faults[5].target = 1; }), 'faults[5].target: killClient needs a client'],
    ['a field an action does not take', withChange((s) => { s.faults[2].target = 1; }), 'faults[2]: unknown field "target" (known: atMs, action)'],
    ['a speed out of range', withChange((s) => { s.faults[6].speed = 100; }), 'faults[6].speed: must be a speed from 0.1 to 10, got 100'],
    ['too many faults', withChange((s) => { s.faults = Array.from({ length: 51 }, () => ({ atMs: 0, action: 'heal' })); }), 'faults: has 51 entries; at most 50'],
  ])('refuses %s with a message naming the field', (_, value, message) => {
    expect(problem(value)).toContain(message);
  });

  it('never keeps a __proto__ key from JSON', () => {
    const hostile = JSON.parse('{"version":1,"cluster":{"brokers":1,"controllers":1},"__proto__":{"polluted":true}}');
    expect(problem(hostile)).toContain('unknown field "__proto__"');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('summarizeScenario', () => {
  it('says what will be built, in the playground\'s words', () => {
    const summary = summarizeScenario(sample);
    expect(summary.cluster).toBe('3 brokers and 3 KRaft controllers (a fresh cluster: the current one is wiped)');
    expect(summary.topics).toEqual(['orders: 3 partitions, replication factor 3, min.insync.replicas=2, unclean.leader.election.enable=false']);
    expect(summary.clients).toEqual(['producer → orders, 5/s, acks=all, idempotent', 'consumer in group billing ← orders']);
    expect(summary.faults[0]).toBe('at 2 s: kill the leader of orders-0 (remembered as $old)');
    expect(summary.faults[3]).toBe('at 8 s: restart $old (the leader of orders-0 at 2 s)');
    expect(summary.faults[4]).toBe('at 9 s: split the network: {broker 1, controller 1000} | {broker 2, broker 3}, clients with broker 2');
  });
});
