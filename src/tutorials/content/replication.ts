import { ensureTopic, liveFollowerOf, produce, restartDeadNodes } from '../actions';
import { eventsOf, followerAppends, fullyInSync, killedBrokers, partitionOf, topicReady } from '../conditions';
import type { Tutorial } from '../types';

const TOPIC = 'tutorial-replicas';

export const replicationTutorial: Tutorial = {
  id: 'brokers-and-replication',
  title: '3. Brokers and replication',
  summary: 'Leader and followers, the ISR, the log end offset and the high watermark; a follower that dies and catches up.',
  steps: [
    {
      id: 'create',
      title: 'Three replicas',
      text: 'Each partition is copied to replication.factor brokers, spread over racks (broker.rack a, b and c here), so losing a machine or a rack loses no data.\n\nOne replica is the leader: it takes every write. The others are followers: they fetch from the leader, as consumers do, and copy what they get. Create tutorial-replicas with one partition and replication factor 3.',
      action: {
        kind: 'create', label: 'Create topic tutorial-replicas (1 partition, replication factor 3)',
        run: (api, tools) => ensureTopic(api, tools, { topic: TOPIC, partitions: 1, replicationFactor: 3 }),
      },
      waitingFor: 'tutorial-replicas-0 with 3 replicas, all in sync',
      done: ({ cluster }) => topicReady(cluster, TOPIC, 1) && fullyInSync(cluster, TOPIC, 0),
    },
    {
      id: 'replicate',
      title: 'Followers copy the leader',
      text: 'Produce five records. The leader appends them to its log; each follower\'s next Fetch brings them over and the follower appends them to its own log, at the same offsets.',
      action: {
        kind: 'produce', label: 'Produce 5 records to tutorial-replicas',
        run: (api) => produce(api, TOPIC, [1, 2, 3, 4, 5].map((n) => ({ value: `record ${n}` }))),
      },
      waitingFor: 'both followers to append the 5 records',
      done: ({ events, cluster }) => {
        const p = partitionOf(cluster, TOPIC, 0);
        const copied = followerAppends(events, TOPIC, 0);
        const followers = p?.replicas.filter((id) => id !== p.leader) ?? [];
        return followers.length === 2 && followers.every((id) => (copied.get(id) ?? 0) >= 5);
      },
    },
    {
      id: 'high-watermark',
      title: 'Log end offset and high watermark',
      text: 'The log end offset (LEO) is where the next record will go. The high watermark (HW) is the offset below which every in-sync replica has the records: only those are committed, and consumers read only below it.\n\nThe leader learns each follower\'s LEO from its Fetch requests and moves the HW up to the lowest LEO in the ISR; followers learn the HW in the Fetch responses. Produce one more record and watch the HW follow the LEO.',
      action: {
        kind: 'produce', label: 'Produce 1 record to tutorial-replicas',
        run: (api) => produce(api, TOPIC, [{ value: 'one more' }]),
      },
      waitingFor: 'the high watermark to reach the new log end offset, on every replica',
      done: ({ cluster, start }) => {
        const p = partitionOf(cluster, TOPIC, 0);
        const before = partitionOf(start, TOPIC, 0);
        return !!p && !!before && p.logEndOffset > before.logEndOffset && p.highWatermark === p.logEndOffset
          && p.replicaDetails.every((r) => r.logEndOffset === p.logEndOffset && r.highWatermark === p.highWatermark);
      },
    },
    {
      id: 'kill-follower',
      title: 'A follower dies',
      text: 'Kill a follower. Its Fetch requests stop. The controller notices that the broker stopped heartbeating, fences it after broker.session.timeout.ms, and removes it from the ISR (the in-sync replicas) of every partition it held.\n\nA live follower that merely falls behind leaves the ISR too, after replica.lag.time.max.ms.',
      action: {
        kind: 'kill', label: 'Kill a follower of tutorial-replicas-0',
        run: async (api) => api.cluster.killBroker(liveFollowerOf(api.cluster.describe(), TOPIC, 0)),
      },
      waitingFor: 'the killed follower to leave the ISR',
      done: ({ events, cluster }) => {
        const p = partitionOf(cluster, TOPIC, 0);
        return !!p && killedBrokers(events).some((id) => p.replicas.includes(id) && id !== p.leader && !p.isr.includes(id));
      },
    },
    {
      id: 'write-without',
      title: 'Writes go on',
      text: 'Produce three more records. Two replicas are still in sync, which is what min.insync.replicas=2 asks, so acks=all writes succeed: the HW moves on with the two live replicas, while the dead follower\'s log ends where it stopped.',
      action: {
        kind: 'produce', label: 'Produce 3 records to tutorial-replicas',
        run: (api) => produce(api, TOPIC, [1, 2, 3].map((n) => ({ value: `while one is down ${n}` }))),
      },
      waitingFor: 'the high watermark to move on while the dead follower\'s log end offset stays behind',
      done: ({ cluster, start }) => {
        const p = partitionOf(cluster, TOPIC, 0);
        const before = partitionOf(start, TOPIC, 0);
        return !!p && !!before && p.highWatermark > before.highWatermark
          && p.replicaDetails.some((r) => !r.alive && r.logEndOffset < p.highWatermark);
      },
    },
    {
      id: 'rejoin',
      title: 'It catches up and rejoins',
      text: 'Restart the follower. It recovers its log from disk (IndexedDB here), fetches what it missed from the leader, and once it has reached the leader\'s log end offset the leader adds it back to the ISR, with an AlterPartition request to the controller.',
      action: {
        kind: 'restart', label: 'Restart the dead broker',
        run: (api) => restartDeadNodes(api),
      },
      waitingFor: 'all 3 replicas back in the ISR',
      done: ({ cluster, events }) => fullyInSync(cluster, TOPIC, 0)
        && eventsOf(events, 'isr-change').some((e) => e.topic === TOPIC && e.phase === 'committed' && e.to.length > e.from.length),
    },
  ],
  realKafka: {
    text: 'kafka-topics.sh --describe shows each partition\'s Leader, Replicas and Isr, as the topics table does. The leader tracks each follower\'s fetch offset; a follower that has not caught up for replica.lag.time.max.ms leaves the ISR, and the leader proposes ISR changes to the controller with AlterPartition (KIP-497). The high watermark is the committed point: consumers (with read_uncommitted) read up to it. Replicas are spread over racks when brokers set broker.rack.',
    configs: [
      { name: 'default.replication.factor', default: '1', note: 'Replicas of a topic created without a factor; production clusters use 3.' },
      { name: 'min.insync.replicas', default: '1', note: 'With acks=all, a write needs at least this many replicas in sync; this topic sets 2.' },
      { name: 'replica.lag.time.max.ms', default: '30000', note: 'A follower not caught up for this long leaves the ISR (10000 here).' },
      { name: 'replica.fetch.wait.max.ms', default: '500', note: 'How long a follower\'s Fetch may wait at the leader for new records.' },
      { name: 'broker.session.timeout.ms', default: '9000', note: 'A broker without a heartbeat for this long is fenced (3000 here, scaled by the playground\'s speed).' },
      { name: 'broker.rack', default: 'null', note: 'The broker\'s rack or availability zone; replicas are spread across racks.' },
    ],
  },
};
