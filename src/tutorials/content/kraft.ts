import { ensureTopic, setTopicConfigs, withTutorialAdmin } from '../actions';
import { eventsOf, killedControllers, topicOf } from '../conditions';
import type { Tutorial } from '../types';

const TOPIC = 'tutorial-kraft';

export const kraftTutorial: Tutorial = {
  id: 'kraft',
  title: '6. KRaft: the controller quorum',
  summary: 'The controllers\' Raft quorum, the metadata log, and an election when the active controller dies.',
  steps: [
    {
      id: 'quorum',
      title: 'The quorum',
      text: 'Three controllers form the KRaft quorum (controller.quorum.voters). One of them leads the Raft log and is the active controller: it decides topic placements, leaders and ISRs, and fences brokers. The other two follow, fetching its log.\n\nA record is committed once a majority, 2 of 3, has it: one controller can be lost. Look at the quorum view: who leads, and in which epoch.',
      waitingFor: 'an active controller, with a majority of the quorum alive',
      done: ({ cluster }) => cluster.activeController !== null && cluster.quorum.leaderId !== null && cluster.quorum.live >= cluster.quorum.majority,
    },
    {
      id: 'metadata-log',
      title: 'The metadata log',
      text: 'Every change to the cluster is a record in the metadata log, __cluster_metadata. Create a topic: the active controller writes a TopicRecord and one PartitionRecord per partition (its replicas, leader and ISR), Raft replicates them to the other controllers, and the brokers, which follow the log too, start hosting the partitions.\n\nThe metadata log panel shows the records as they are committed.',
      action: {
        kind: 'create', label: 'Create topic tutorial-kraft with 3 partitions (again, if it exists)',
        run: async (api, tools) => {
          if (topicOf(api.cluster.describe(), TOPIC)) {
            // Deleted first, so its TopicRecord is written again for you to see.
            await withTutorialAdmin(api, (admin) => admin.deleteTopics({ topics: [TOPIC] }));
            await tools.until(`topic ${TOPIC} deleted`, (cluster) => !topicOf(cluster, TOPIC));
          }
          // Kafka's default min.insync.replicas (1), for step 4 to change.
          await ensureTopic(api, tools, { topic: TOPIC, partitions: 3, configs: {} });
        },
      },
      waitingFor: 'a TopicRecord for tutorial-kraft and its 3 PartitionRecords in the metadata log',
      done: ({ events }) => {
        const records = eventsOf(events, 'metadata-record').map((e) => e.record);
        const topic = records.find((r) => r.type === 'TopicRecord' && r.name === TOPIC);
        return !!topic && topic.type === 'TopicRecord'
          && records.filter((r) => r.type === 'PartitionRecord' && r.topicId === topic.topicId).length === 3;
      },
    },
    {
      id: 'kill-active',
      title: 'Kill the active controller',
      text: 'Kill the active controller. The other two stop hearing from their leader; after controller.quorum.fetch.timeout.ms one of them asks the other whether it would vote (a pre-vote, KIP-996), then stands as candidate in a new epoch, and with 2 votes of 3 becomes leader and the new active controller.\n\nThe brokers find the new controller and carry on. Partitions keep their leaders throughout: only metadata changes wait.',
      action: {
        kind: 'kill', label: 'Kill the active controller',
        run: async (api) => {
          const active = api.cluster.describe().activeController;
          if (active === null) throw new Error('there is no active controller right now');
          api.cluster.killController(active);
        },
      },
      waitingFor: 'a new active controller, elected in a higher epoch',
      done: ({ cluster, start, events }) => {
        const killed = killedControllers(events);
        return killed.length > 0 && cluster.activeController !== null && !killed.includes(cluster.activeController)
          && cluster.quorum.epoch > start.quorum.epoch;
      },
    },
    {
      id: 'majority-commits',
      title: 'Two of three still commit',
      text: 'Change a setting: set min.insync.replicas=2 on tutorial-kraft. The new active controller writes a ConfigRecord; with one controller down, the remaining two are still a majority, so it is committed and applied.\n\nWith two controllers down there would be no majority: no leader could be elected and no metadata could change, while the brokers kept serving what they already knew.',
      action: {
        kind: 'setting', label: 'Set min.insync.replicas=2 on tutorial-kraft',
        run: (api) => setTopicConfigs(api, TOPIC, { 'min.insync.replicas': '2' }),
      },
      waitingFor: 'a committed ConfigRecord for tutorial-kraft',
      done: ({ events }) => eventsOf(events, 'metadata-record').some((e) => e.record.type === 'ConfigRecord' && e.record.resourceName === TOPIC),
    },
    {
      id: 'rejoin',
      title: 'The old controller rejoins',
      text: 'Restart the controller you killed. It finds the quorum in a newer epoch, follows the new leader, and fetches the records it missed, the ConfigRecord among them, until its log matches.',
      action: {
        kind: 'restart', label: 'Restart the dead controller',
        run: async (api) => {
          for (const c of api.cluster.describe().controllers) if (!c.alive) await api.cluster.restartController(c.id);
        },
      },
      waitingFor: 'the restarted controller following the leader, its log caught up',
      done: ({ cluster, start, events }) => {
        const restarted = eventsOf(events, 'node-spawned').filter((e) => e.role === 'controller').map((e) => Number(e.node.replace(/^controller-/, '')));
        const active = cluster.controllers.find((c) => c.active);
        const startActive = start.controllers.find((c) => c.active);
        return restarted.some((id) => {
          const c = cluster.controllers.find((x) => x.id === id);
          return !!c && !!active && c.alive && c.state === 'Follower' && c.epoch === active.epoch
            && c.logEndOffset >= Math.max(0, startActive?.committedOffset ?? 0);
        });
      },
    },
  ],
  realKafka: {
    text: 'KRaft (KIP-500, KIP-595) replaced ZooKeeper; Kafka 4.0 runs only in KRaft mode. Controllers run Raft over the __cluster_metadata log with Vote, BeginQuorumEpoch, EndQuorumEpoch and Fetch; brokers fetch the same log and heartbeat to the active controller. The log is snapshotted (KIP-630) so it does not grow forever. kafka-metadata-quorum.sh describe --status shows the leader, epoch and each voter\'s lag.',
    configs: [
      { name: 'controller.quorum.voters', default: '""', note: 'The static voter set, id@host:port; since Kafka 3.9 controller.quorum.bootstrap.servers with dynamic voters (KIP-853).' },
      { name: 'controller.quorum.election.timeout.ms', default: '1000', note: 'A voter without a leader waits this long (plus a random part) before standing.' },
      { name: 'controller.quorum.fetch.timeout.ms', default: '2000', note: 'A follower that hears nothing from the leader this long starts an election.' },
      { name: 'controller.quorum.election.backoff.max.ms', default: '1000', note: 'The longest backoff after a failed election.' },
      { name: 'metadata.log.max.record.bytes.between.snapshots', default: '20971520', note: 'A snapshot after this many bytes of new records (64 KiB here, so you see them).' },
    ],
  },
};
