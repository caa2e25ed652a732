import type { Scenario } from './scenario';

/** A scenario that uses every kind of field: an example for the docs, and the tests' fixture. */
export const SAMPLE_SCENARIO: Scenario = {
  version: 1,
  name: 'acks=all survives one broker',
  cluster: { brokers: 3, controllers: 3 },
  topics: [{ name: 'orders', partitions: 3, replicationFactor: 3, configs: { 'min.insync.replicas': '2', 'unclean.leader.election.enable': 'false' } }],
  clients: [
    { kind: 'producer', topic: 'orders', ratePerSec: 5, acks: -1, idempotent: true, keys: ['alice', 'bob'] },
    { kind: 'consumer', groupId: 'billing', topics: ['orders'], sessionTimeout: 6000, heartbeatInterval: 1000 },
  ],
  faults: [
    { atMs: 2000, action: 'killBroker', target: 'leader:orders/0', as: 'old' },
    { atMs: 4000, action: 'isolate', target: 'controller:active' },
    { atMs: 6000, action: 'heal' },
    { atMs: 8000, action: 'restartBroker', target: '$old' },
    { atMs: 9000, action: 'partition', groups: [[1, 1000], [2, 3]], clientsWith: 2 },
    { atMs: 9500, action: 'killClient', target: 'client:1' },
    { atMs: 9600, action: 'setSpeed', speed: 2 },
  ],
};
