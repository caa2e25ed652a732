import { emptyGroup, ensureConsumers, ensureTopic, produce, setTopicConfigs, withTutorialAdmin } from '../actions';
import { leaderAppends, partitionOf, processedFrom, topicOf, topicReady } from '../conditions';
import type { ClusterDescription } from '../../store/selectors';
import type { Tutorial } from '../types';

const TOPIC = 'tutorial-retention';
const READER = 'retention-reader';
const SEGMENT_BYTES = 1024;
const RETENTION_BYTES = 2048;
const RECORDS = 40;

/** The leader's log start offset, and whether every replica reports the same one. */
function logStart(cluster: ClusterDescription): { leader: number; everywhere: boolean } {
  const p = partitionOf(cluster, TOPIC, 0);
  if (!p || p.leader < 0) return { leader: -1, everywhere: false };
  return { leader: p.logStartOffset, everywhere: p.replicaDetails.every((r) => !r.alive || r.logStartOffset === p.logStartOffset) };
}

export const retentionTutorial: Tutorial = {
  id: 'retention',
  title: '9. Retention',
  summary: 'How old records leave the log: whole segments deleted by size (retention.bytes) or age (retention.ms), and the log start offset moving up.',
  steps: [
    {
      id: 'create',
      title: 'A log is a row of segments',
      text: `On disk a partition's log is a row of segment files. Appends go to the last one, the active segment; once it reaches segment.bytes it is closed and a new one starts (it rolls).\n\nKafka's segment.bytes is 1 GiB. Create ${TOPIC} with segment.bytes=${SEGMENT_BYTES}, so segments roll after a few records.`,
      action: {
        kind: 'create', label: `Create topic ${TOPIC} with segment.bytes=${SEGMENT_BYTES}`,
        run: async (api, tools) => {
          await ensureTopic(api, tools, { topic: TOPIC, partitions: 1, configs: { 'min.insync.replicas': '2', 'segment.bytes': String(SEGMENT_BYTES) } });
          // A second walk (or a topic made by hand) starts from the same configs: small segments, no retention set.
          await setTopicConfigs(api, TOPIC, { 'segment.bytes': String(SEGMENT_BYTES), 'retention.bytes': null, 'retention.ms': null });
        },
      },
      waitingFor: `topic ${TOPIC} with segment.bytes=${SEGMENT_BYTES}, its partition 0 led by a broker`,
      done: ({ cluster }) => {
        const configs = topicOf(cluster, TOPIC)?.configs ?? {};
        return topicReady(cluster, TOPIC, 1) && configs['segment.bytes'] === String(SEGMENT_BYTES) && !configs['retention.bytes'] && !configs['retention.ms'];
      },
    },
    {
      id: 'fill',
      title: 'Fill a few segments',
      text: `Produce ${RECORDS} records of about 100 bytes each, in batches of 4: several segments' worth, as a segment holds whole batches. Nothing is deleted yet. retention.ms is 7 days and retention.bytes is -1 (no limit), so the log start offset in the Topics table stays at 0.`,
      action: {
        kind: 'produce', label: `Produce ${RECORDS} records to ${TOPIC}, 4 per send`,
        run: async (api) => {
          // A batch is never split across segments: one send of all of them would fill one segment.
          for (let i = 0; i < RECORDS; i += 4) {
            await produce(api, TOPIC, Array.from({ length: 4 }, (_, j) => ({ key: `user-${(i + j) % 5}`, value: `page-view-${i + j}-${'.'.repeat(40)}` })));
          }
        },
      },
      waitingFor: `${RECORDS} records appended to ${TOPIC}-0`,
      done: ({ events }) => (leaderAppends(events, TOPIC).get(0) ?? 0) >= RECORDS,
    },
    {
      id: 'bytes',
      title: 'Retention by size',
      text: `Set retention.bytes=${RETENTION_BYTES}. Every log.retention.check.interval.ms (5 seconds here, 5 minutes in Kafka), each replica deletes its oldest closed segments while what is left still holds ${RETENTION_BYTES} bytes.\n\nWhole segments go, never single records, and never past the high watermark. The log start offset moves up on the leader and on its followers, and the event log says which segments went and why.`,
      action: {
        kind: 'setting', label: `Set retention.bytes=${RETENTION_BYTES} on ${TOPIC}`,
        run: (api) => setTopicConfigs(api, TOPIC, { 'retention.bytes': String(RETENTION_BYTES) }),
      },
      waitingFor: `retention.bytes=${RETENTION_BYTES} on ${TOPIC}, and its log start offset moved up on every replica`,
      done: ({ cluster, start }) => {
        const before = logStart(start).leader;
        const now = logStart(cluster);
        return topicOf(cluster, TOPIC)?.configs['retention.bytes'] === String(RETENTION_BYTES) && now.leader > before && now.everywhere;
      },
    },
    {
      id: 'read',
      title: 'Reading starts at the log start',
      text: `Start a consumer in the group ${READER} from the beginning (KafkaJS fromBeginning: true; auto.offset.reset=earliest in Java). With no committed offset it asks for the earliest offset, which is the log start offset now, not 0.\n\nA consumer whose committed offset was deleted gets OFFSET_OUT_OF_RANGE on its next Fetch and resets the same way.`,
      action: {
        kind: 'consume', label: `Start a consumer in group ${READER}, from the beginning`,
        run: async (api, tools) => {
          await emptyGroup(api, tools, READER);
          // No committed offset (a second walk left one): fromBeginning decides where it starts.
          await withTutorialAdmin(api, (admin) => admin.deleteGroups([READER])).catch(() => undefined);
          await ensureConsumers(api, { groupId: READER, topics: [TOPIC], fromBeginning: true, autoCommitInterval: 1000 }, 1);
        },
      },
      waitingFor: `a consumer in ${READER} to read ${TOPIC}-0 from its log start offset`,
      done: ({ cluster, events }) => {
        const start = logStart(cluster).leader;
        return start > 0 && events.some(processedFrom(READER, TOPIC, 0, start));
      },
    },
    {
      id: 'time',
      title: 'Retention by time',
      text: 'Set retention.ms=10000. A closed segment whose newest record is more than 10 seconds old is deleted at the next check: here, every closed segment.\n\nThe active segment stays until it rolls (at segment.bytes, or after segment.ms, 7 days). Kafka itself also rolls and deletes an active segment that has expired; the playground keeps it, so the log end offset survives a restart.',
      action: {
        kind: 'setting', label: `Set retention.ms=10000 on ${TOPIC}`,
        run: (api) => setTopicConfigs(api, TOPIC, { 'retention.ms': '10000' }),
      },
      waitingFor: `the log start offset of ${TOPIC}-0 to move up again`,
      done: ({ cluster, start }) => {
        const before = logStart(start).leader;
        const now = logStart(cluster);
        return before >= 0 && now.leader > before && now.everywhere;
      },
    },
  ],
  realKafka: {
    text: 'With cleanup.policy=delete, each broker deletes whole segments older than retention.ms or beyond retention.bytes, and the log start offset moves up; consumers below it get OFFSET_OUT_OF_RANGE and reset by auto.offset.reset. kafka-delete-records.sh moves the log start offset by hand. With cleanup.policy=compact the log cleaner keeps only the latest record per key instead (not in the playground yet).',
    configs: [
      { name: 'cleanup.policy', default: 'delete', note: 'delete, compact, or both (compact,delete).' },
      { name: 'retention.ms', default: '604800000', note: '7 days; -1 keeps records forever.' },
      { name: 'retention.bytes', default: '-1', note: 'Per partition; -1: no size limit.' },
      { name: 'segment.bytes', default: '1073741824', note: 'Only closed segments are deleted.' },
      { name: 'segment.ms', default: '604800000', note: 'A segment rolls after this long even if it is not full.' },
      { name: 'log.retention.check.interval.ms', default: '300000', note: 'Broker config: how often retention runs (5000 here).' },
    ],
  },
};

/** Listed so the path is complete, and says honestly why it cannot be walked yet. */
export const compactionTutorial: Tutorial = {
  id: 'log-compaction',
  title: '10. Log compaction',
  summary: 'Keeping only the last record of each key: how __consumer_offsets and changelog topics stay small.',
  unavailable: 'The brokers store and describe cleanup.policy=compact, but there is no log cleaner yet: compacted topics keep every record. This tutorial opens once there is.',
  steps: [],
  realKafka: {
    text: 'With cleanup.policy=compact the log cleaner rewrites closed segments keeping the latest record per key, and a record with a null value (a tombstone) deletes its key after delete.retention.ms.',
    configs: [
      { name: 'cleanup.policy', default: 'delete', note: 'delete, compact, or both (compact,delete).' },
      { name: 'min.cleanable.dirty.ratio', default: '0.5', note: 'How much of the log must be uncompacted before the cleaner runs.' },
      { name: 'delete.retention.ms', default: '86400000', note: 'How long a tombstone stays in a compacted log.' },
    ],
  },
};
