import { describe, expect, it } from 'vitest';
import { ALTER_CONFIG_OPS, CONFIG_RESOURCE_TYPES } from '../config';
import { MetadataImage } from '../metadata/image';
import type { MetadataRecord } from '../metadata/records';
import { configChangeRecords } from './configChanges';
import { validateTopicConfig } from './topicValidation';

const { SET, DELETE, APPEND, SUBTRACT } = ALTER_CONFIG_OPS;
const image = MetadataImage.EMPTY.apply(([
  { type: 'TopicRecord', name: 'orders', topicId: 't1' },
  { type: 'ConfigRecord', resourceType: 'TOPIC', resourceName: 'orders', name: 'min.insync.replicas', value: '2' },
] satisfies MetadataRecord[]).map((record, offset) => ({ offset, record })));

const topic = (...configs: { name: string; configOperation: number; value: string | null }[]) =>
  ({ resourceType: CONFIG_RESOURCE_TYPES.TOPIC, resourceName: 'orders', configs });
const failsWith = (fn: () => unknown, type: string, message?: RegExp) =>
  expect(fn).toThrow(expect.objectContaining({ type, ...(message ? { message: expect.stringMatching(message) } : {}) }));

describe('IncrementalAlterConfigs in the controller', () => {
  it('turns SET and DELETE into ConfigRecords, and writes nothing for what does not change', () => {
    expect(configChangeRecords(image, topic(
      { name: 'retention.ms', configOperation: SET, value: '60000' },
      { name: 'min.insync.replicas', configOperation: DELETE, value: null },
      { name: 'cleanup.policy', configOperation: DELETE, value: null },
    ))).toEqual([
      { type: 'ConfigRecord', resourceType: 'TOPIC', resourceName: 'orders', name: 'retention.ms', value: '60000' },
      { type: 'ConfigRecord', resourceType: 'TOPIC', resourceName: 'orders', name: 'min.insync.replicas', value: null },
    ]);
    expect(configChangeRecords(image, topic({ name: 'min.insync.replicas', configOperation: SET, value: '2' }))).toEqual([]);
  });

  it('APPENDs to and SUBTRACTs from list configs only', () => {
    expect(configChangeRecords(image, topic({ name: 'cleanup.policy', configOperation: APPEND, value: 'compact' }))[0]).toMatchObject({ value: 'delete,compact' });
    // From the default: the result becomes an override, as in Kafka.
    expect(configChangeRecords(image, topic({ name: 'cleanup.policy', configOperation: SUBTRACT, value: 'compact' }))[0]).toMatchObject({ value: 'delete' });
    failsWith(() => configChangeRecords(image, topic({ name: 'retention.ms', configOperation: APPEND, value: '1' })), 'INVALID_CONFIG', /append is not allowed/);
  });

  it('refuses the whole resource on one bad operation', () => {
    failsWith(() => configChangeRecords(image, topic(
      { name: 'retention.ms', configOperation: SET, value: '60000' },
      { name: 'min.isr', configOperation: SET, value: '2' },
    )), 'INVALID_CONFIG', /Unknown topic config name: min.isr/);
    failsWith(() => configChangeRecords(image, topic({ name: 'min.insync.replicas', configOperation: SET, value: '0' })), 'INVALID_CONFIG', /at least 1/);
    failsWith(() => configChangeRecords(image, topic(
      { name: 'retention.ms', configOperation: SET, value: '1' }, { name: 'retention.ms', configOperation: DELETE, value: null },
    )), 'INVALID_REQUEST', /duplicate/);
    failsWith(() => configChangeRecords(image, topic({ name: 'retention.ms', configOperation: SET, value: null })), 'INVALID_REQUEST');
  });

  it('names unknown topics and refuses broker configs (static here)', () => {
    failsWith(() => configChangeRecords(image, { ...topic({ name: 'retention.ms', configOperation: SET, value: '1' }), resourceName: 'nope' }), 'UNKNOWN_TOPIC_OR_PARTITION');
    failsWith(() => configChangeRecords(image, { resourceType: CONFIG_RESOURCE_TYPES.BROKER, resourceName: '1', configs: [{ name: 'replica.lag.time.max.ms', configOperation: SET, value: '1' }] }),
      'INVALID_REQUEST', /Cannot update these configs dynamically/);
  });
});

describe('topic config values', () => {
  it('checks each type as Kafka\'s ConfigDef does', () => {
    expect(validateTopicConfig('unclean.leader.election.enable', 'TRUE')).toBe('true');
    expect(validateTopicConfig('cleanup.policy', 'compact, delete')).toBe('compact,delete');
    expect(validateTopicConfig('message.timestamp.type', 'LogAppendTime')).toBe('LogAppendTime');
    failsWith(() => validateTopicConfig('max.message.bytes', '99999999999'), 'INVALID_CONFIG', /Not a number of type INT/);
    failsWith(() => validateTopicConfig('retention.ms', '1.5'), 'INVALID_CONFIG', /Not a number of type LONG/);
    failsWith(() => validateTopicConfig('unclean.leader.election.enable', 'yes'), 'INVALID_CONFIG', /either true or false/);
    failsWith(() => validateTopicConfig('compression.type', 'brotli'), 'INVALID_CONFIG', /String must be one of/);
    failsWith(() => validateTopicConfig('constructor', '1'), 'INVALID_CONFIG', /Unknown topic config name/);
  });
});
