import type { Tutorial } from '../types';

/** Listed so the path is complete, and says honestly why it cannot be walked yet. */
export const retentionTutorial: Tutorial = {
  id: 'retention-and-compaction',
  title: '9. Retention and compaction',
  summary: 'How old records leave the log: by age or size (retention), or keeping only the last record of each key (compaction).',
  unavailable: 'The brokers store and describe retention.ms, retention.bytes and cleanup.policy, but do not yet delete old segments or compact logs. This tutorial opens once they do.',
  steps: [],
  realKafka: {
    text: 'With cleanup.policy=delete, the log cleaner deletes whole segments older than retention.ms or beyond retention.bytes, moving the log start offset up. With cleanup.policy=compact it rewrites segments keeping the latest record per key, and a record with a null value (a tombstone) deletes its key after delete.retention.ms.',
    configs: [
      { name: 'cleanup.policy', default: 'delete', note: 'delete, compact, or both (compact,delete).' },
      { name: 'retention.ms', default: '604800000', note: '7 days; -1 keeps records forever.' },
      { name: 'retention.bytes', default: '-1', note: 'Per partition; -1: no size limit.' },
      { name: 'segment.bytes', default: '1073741824', note: 'Only closed segments are deleted or compacted.' },
      { name: 'delete.retention.ms', default: '86400000', note: 'How long a tombstone stays in a compacted log.' },
    ],
  },
};
