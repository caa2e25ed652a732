import { describe, expect, it } from 'vitest';
import { validateReplicaAssignment, validateTopicConfigs, validateTopicName } from './topicValidation';

const failsWith = (fn: () => unknown, type: string) => expect(fn).toThrow(expect.objectContaining({ type }));

describe('topic validation', () => {
  it('accepts Kafka\'s legal names', () => {
    for (const name of ['orders', 'a.b_c-D9', 'x'.repeat(249)]) expect(() => validateTopicName(name)).not.toThrow();
  });
  it('rejects illegal names with INVALID_TOPIC_EXCEPTION', () => {
    for (const name of ['', '.', '..', 'has space', 'slash/y', 'ünï', 'x'.repeat(250)]) failsWith(() => validateTopicName(name), 'INVALID_TOPIC_EXCEPTION');
  });
  it('rejects unknown or malformed configs with INVALID_CONFIG', () => {
    expect(validateTopicConfigs([{ name: 'min.insync.replicas', value: '2' }])).toEqual({ 'min.insync.replicas': '2' });
    failsWith(() => validateTopicConfigs([{ name: 'min.isr', value: '2' }]), 'INVALID_CONFIG');
    failsWith(() => validateTopicConfigs([{ name: 'min.insync.replicas', value: 'two' }]), 'INVALID_CONFIG');
    failsWith(() => validateTopicConfigs([{ name: 'cleanup.policy', value: 'shred' }]), 'INVALID_CONFIG');
  });

  it('checks a manual replica assignment with INVALID_REPLICA_ASSIGNMENT', () => {
    const brokers = new Set([1, 2, 3]);
    expect(validateReplicaAssignment([{ partitionIndex: 1, brokerIds: [2, 3] }, { partitionIndex: 0, brokerIds: [1, 2] }], brokers)).toEqual([[1, 2], [2, 3]]);
    failsWith(() => validateReplicaAssignment([{ partitionIndex: 0, brokerIds: [1, 1] }], brokers), 'INVALID_REPLICA_ASSIGNMENT');
    failsWith(() => validateReplicaAssignment([{ partitionIndex: 0, brokerIds: [9] }], brokers), 'INVALID_REPLICA_ASSIGNMENT');
    failsWith(() => validateReplicaAssignment([{ partitionIndex: 1, brokerIds: [1] }], brokers), 'INVALID_REPLICA_ASSIGNMENT');
    failsWith(() => validateReplicaAssignment([{ partitionIndex: 0, brokerIds: [1] }, { partitionIndex: 1, brokerIds: [1, 2] }], brokers), 'INVALID_REPLICA_ASSIGNMENT');
  });
});
