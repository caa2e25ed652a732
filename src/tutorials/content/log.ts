import { emptyGroup, ensureConsumers, ensureTopic, produce, setGroupOffset, stopClients } from '../actions';
import { groupOf, leaderAppends, processedFrom, runningClients, topicReady } from '../conditions';
import type { Tutorial } from '../types';

const TOPIC = 'tutorial-log';
const READER = 'log-reader';
const AUDIT = 'log-audit';

export const logTutorial: Tutorial = {
  id: 'the-log',
  title: '1. The log',
  summary: 'A partition is an append-only log: offsets, appends, reading from any offset, and replay.',
  steps: [
    {
      id: 'create',
      title: 'A topic is a log',
      text: 'Kafka keeps records in a log. New records are only ever appended at the end, and each gets the next offset: 0, 1, 2 and so on. Nothing is changed in place.\n\nA topic is split into partitions, and each partition is its own log. Create the topic tutorial-log with one partition (its three replicas are for tutorial 3).',
      action: {
        kind: 'create', label: 'Create topic tutorial-log with 1 partition',
        run: (api, tools) => ensureTopic(api, tools, { topic: TOPIC, partitions: 1 }),
      },
      waitingFor: 'topic tutorial-log, its partition 0 led by a broker',
      done: ({ cluster }) => topicReady(cluster, TOPIC, 1),
    },
    {
      id: 'append',
      title: 'Append records',
      text: 'Produce three records. The leader of partition 0 writes them at the end of its log, at the next free offsets, and its log end offset grows by three. The message browser shows each record with its offset.',
      action: {
        kind: 'produce', label: 'Produce 3 records to tutorial-log',
        run: (api) => produce(api, TOPIC, [{ value: 'first' }, { value: 'second' }, { value: 'third' }]),
      },
      waitingFor: '3 records appended to tutorial-log-0',
      done: ({ events }) => (leaderAppends(events, TOPIC).get(0) ?? 0) >= 3,
    },
    {
      id: 'read',
      title: 'Read from the beginning',
      text: 'Start a consumer in the group log-reader. With no committed offset it starts where auto.offset.reset says: here the earliest offset, 0. It reads forward, record by record, and commits how far it got.\n\nReading removes nothing: the log stays as it was, for any other reader.',
      action: {
        kind: 'consume', label: 'Start a consumer in group log-reader, from offset 0',
        run: async (api, tools) => {
          await emptyGroup(api, tools, READER);
          // A second walk through the tutorial starts from 0 again, as the first did.
          await setGroupOffset(api, READER, TOPIC, 0, 0);
          await ensureConsumers(api, { groupId: READER, topics: [TOPIC], autoCommitInterval: 1000 }, 1);
        },
      },
      waitingFor: 'a consumer in log-reader to read tutorial-log-0 from offset 0',
      done: ({ events }) => events.some(processedFrom(READER, TOPIC, 0, 0)),
    },
    {
      id: 'seek',
      title: 'Read from an offset',
      text: 'A reader can start at any offset. Stop the consumer, move the group\'s committed offset to 1 (kafka-consumer-groups.sh --reset-offsets --to-offset 1), and start it again: its first Fetch asks for offset 1, so offset 0 is skipped.\n\nOffsets can be reset only while the group has no members.',
      action: {
        kind: 'consume', label: 'Reset log-reader to offset 1 and start it again',
        run: async (api, tools) => {
          await emptyGroup(api, tools, READER);
          await setGroupOffset(api, READER, TOPIC, 0, 1);
          await ensureConsumers(api, { groupId: READER, topics: [TOPIC], autoCommitInterval: 1000 }, 1);
        },
      },
      waitingFor: 'a consumer in log-reader to read tutorial-log-0 from offset 1',
      done: ({ events }) => events.some(processedFrom(READER, TOPIC, 0, 1)),
    },
    {
      id: 'replay',
      title: 'Replay',
      text: 'Each consumer group keeps its own committed offsets. Start a consumer in a second group, log-audit: it reads the whole log again from offset 0, while log-reader stays where it is.\n\nThat is replay: the records stay in the log until retention removes them, and any group can read them again.',
      action: {
        kind: 'consume', label: 'Start a consumer in group log-audit, from offset 0',
        run: async (api, tools) => {
          await emptyGroup(api, tools, AUDIT);
          await setGroupOffset(api, AUDIT, TOPIC, 0, 0);
          await ensureConsumers(api, { groupId: AUDIT, topics: [TOPIC], autoCommitInterval: 1000 }, 1);
        },
      },
      waitingFor: 'a consumer in log-audit to read tutorial-log-0 from offset 0',
      done: ({ events }) => events.some(processedFrom(AUDIT, TOPIC, 0, 0)),
    },
    {
      id: 'stop',
      title: 'Stop the readers',
      text: 'Stop both consumers. A consumer that stops cleanly commits its offsets and sends LeaveGroup, so its group becomes Empty at once. The committed offsets stay: started again, each group goes on from where it stopped.',
      action: {
        kind: 'stop', label: 'Stop the consumers of log-reader and log-audit',
        run: async (api) => {
          await stopClients(api, { kind: 'consumer', groupId: READER });
          await stopClients(api, { kind: 'consumer', groupId: AUDIT });
        },
      },
      waitingFor: 'no consumer running in log-reader or log-audit, both groups with committed offsets',
      done: ({ cluster }) => [READER, AUDIT].every((id) => runningClients(cluster, { groupId: id }).length === 0
        && (groupOf(cluster, id)?.offsets.some((o) => o.topic === TOPIC && o.committed !== null) ?? false)),
    },
  ],
  realKafka: {
    text: 'Each partition is a log on the leader\'s disk, split into segment files (here, into IndexedDB, one value per record batch). Offsets are assigned by the leader and never reused. Consumers fetch from an offset and commit their position to __consumer_offsets, per group. kafka-consumer-groups.sh --reset-offsets moves a group (--to-earliest, --to-offset, --to-datetime); it needs the group to be inactive, as here.',
    configs: [
      { name: 'auto.offset.reset', default: 'latest', note: 'Where a group without a committed offset starts. KafkaJS: fromBeginning false. The playground\'s consumer applications start from the beginning unless told otherwise.' },
      { name: 'enable.auto.commit', default: 'true', note: 'The consumer commits what it has processed, in the background.' },
      { name: 'auto.commit.interval.ms', default: '5000', note: 'How often it commits; these tutorials use 1000 so you see it sooner.' },
      { name: 'segment.bytes', default: '1073741824', note: 'A partition\'s log rolls to a new segment file at this size (log.segment.bytes on the broker).' },
    ],
  },
};
