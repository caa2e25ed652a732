import { ensureProducer, ensureTopic, leaderOf, stopClients } from '../actions';
import { brokerIdOf, eventsOf, isAcknowledged, killedBrokers, partitionOf } from '../conditions';
import type { Tutorial } from '../types';

const TOPIC = 'tutorial-failover';

export const failoverTutorial: Tutorial = {
  id: 'leader-failover',
  title: '5. Leader failover',
  summary: 'Kill the leader: fencing, election, the leader epoch; cut it off instead and watch its extra records truncated.',
  steps: [
    {
      id: 'setup',
      title: 'A partition under load',
      text: 'Create tutorial-failover (one partition, replication factor 3) and start a producer sending 4 records a second with acks=1: the leader answers as soon as the record is in its own log. Step 4 shows what that costs.',
      action: {
        kind: 'produce', label: 'Create tutorial-failover and start an acks=1 producer',
        run: async (api, tools) => {
          await ensureTopic(api, tools, { topic: TOPIC, partitions: 1 });
          await ensureProducer(api, { topic: TOPIC, acks: 1, ratePerSec: 4 });
        },
      },
      waitingFor: 'records acknowledged on tutorial-failover',
      done: ({ events }) => events.some(isAcknowledged(TOPIC, 1)),
    },
    {
      id: 'kill-leader',
      title: 'Kill the leader',
      text: 'Kill the leader\'s broker, as kill -9 would. Nobody tells the controller: it notices only when the broker\'s heartbeats stop for broker.session.timeout.ms. Then it fences the broker and elects a new leader from the ISR.\n\nThe new leader gets the next leader epoch. Every request and every record batch carries the epoch, so an old leader\'s word can always be told from the new one\'s. The producer gets errors meanwhile, refreshes its metadata and retries on the new leader.',
      action: {
        kind: 'kill', label: 'Kill the leader of tutorial-failover-0',
        run: async (api) => api.cluster.killBroker(leaderOf(api.cluster.describe(), TOPIC, 0)),
      },
      waitingFor: 'the old leader fenced, and a new leader elected with a higher leader epoch',
      done: ({ events, cluster, start }) => {
        const p = partitionOf(cluster, TOPIC, 0);
        const before = partitionOf(start, TOPIC, 0);
        if (!p || !before || p.leader < 0 || p.leaderEpoch <= before.leaderEpoch) return false;
        // The broker killed, whichever led when the step began (a preferred leader election may have moved it since).
        return killedBrokers(events).some((id) => p.leader !== id && cluster.brokers.find((b) => b.id === id)?.fenced === true
          && eventsOf(events, 'leader-election').some((e) => e.topic === TOPIC && e.partition === 0 && e.previousLeader === id && e.leader === p.leader));
      },
    },
    {
      id: 'restart',
      title: 'The old leader comes back as a follower',
      text: 'Restart the broker. It recovers its log from disk and registers with the controller, which unfences it. It is a follower now: it asks the leader where its own last epoch ended (OffsetForLeaderEpoch, KIP-101), truncates anything beyond that, fetches the rest, and rejoins the ISR.\n\nIf it is the partition\'s preferred replica (the first in its list), it soon leads again: auto.leader.rebalance.enable moves leadership back to preferred replicas.',
      action: {
        kind: 'restart', label: 'Restart the old leader',
        run: async (api) => {
          for (const b of api.cluster.describe().brokers) if (!b.alive) await api.cluster.restartBroker(b.id);
        },
      },
      waitingFor: 'the restarted broker back in the ISR',
      // Only back in the ISR: soon after, a preferred leader election may make it leader again.
      done: ({ cluster, events }) => {
        const p = partitionOf(cluster, TOPIC, 0);
        return !!p && eventsOf(events, 'node-spawned').some((e) => {
          const id = brokerIdOf(e.node);
          return id !== null && p.isr.includes(id);
        });
      },
    },
    {
      id: 'cut-off',
      title: 'Two leaders: cut the leader off',
      text: 'Now cut the leader off from every other node, with the producer on its side of the cut. The cut-off leader cannot reach the controller or its followers, yet still believes it leads, and with acks=1 it keeps acknowledging writes alone.\n\nOn the other side the controller fences it and elects a new leader in a higher epoch. For a while two brokers think they lead partition 0, and their logs diverge.',
      action: {
        kind: 'network', label: 'Isolate the leader, with the producer on its side',
        run: async (api) => {
          const leader = leaderOf(api.cluster.describe(), TOPIC, 0);
          api.cluster.isolate(leader, { clientsWith: leader });
        },
      },
      waitingFor: 'a new leader on the majority side, while the cut-off broker holds records the new leader does not have',
      done: ({ cluster, start, events }) => {
        const p = partitionOf(cluster, TOPIC, 0);
        const before = partitionOf(start, TOPIC, 0);
        const cut = eventsOf(events, 'network-changed').at(-1)?.cut;
        if (!p || !before || !cut) return false;
        // The cut-off broker: the one broker on the clients' side of the cut.
        const side = cut.groups[cut.clients].filter((id) => cluster.brokers.some((b) => b.id === id));
        const old = side.length === 1 ? p.replicaDetails.find((r) => r.broker === side[0]) : undefined;
        return !!old && p.leader >= 0 && p.leader !== old.broker && p.leaderEpoch > before.leaderEpoch && old.logEndOffset > p.logEndOffset;
      },
    },
    {
      id: 'heal',
      title: 'Heal: the extra records are truncated',
      text: 'Heal the network (the producer is stopped too). The old leader learns of the new epoch and becomes a follower. Its log has records the new leader never got: it truncates them away, to where the new leader\'s epoch began, and copies the new leader\'s log instead.\n\nThose records had been acknowledged, with acks=1, and are now gone. With acks=all and min.insync.replicas=2 the cut-off leader could not have acknowledged them at all.',
      action: {
        kind: 'network', label: 'Heal the network and stop the producer',
        run: async (api) => {
          api.cluster.heal();
          await stopClients(api, { kind: 'producer', topic: TOPIC });
        },
      },
      waitingFor: 'the old leader to truncate its log and rejoin the ISR',
      done: ({ cluster, events }) => {
        const p = partitionOf(cluster, TOPIC, 0);
        return !!p && eventsOf(events, 'log-truncated').some((e) => {
          const id = brokerIdOf(e.node);
          return e.topic === TOPIC && e.partition === 0 && e.to < e.from && id !== null && p.isr.includes(id);
        });
      },
    },
  ],
  realKafka: {
    text: 'In KRaft the active controller fences a broker whose heartbeats stop for broker.session.timeout.ms and moves its leaderships to other ISR members, bumping each partition\'s leader epoch. Followers truncate by leader epoch (KIP-101, KIP-279), so a replica never keeps records a new leader does not have. unclean.leader.election.enable=false (the default) means only an ISR member may lead: no acknowledged acks=all record is lost, at the price of the partition staying offline if the whole ISR is gone.',
    configs: [
      { name: 'broker.session.timeout.ms', default: '9000', note: 'Heartbeats missed for this long fence a broker (3000 here, scaled by the playground\'s speed).' },
      { name: 'broker.heartbeat.interval.ms', default: '2000', note: 'How often brokers heartbeat to the active controller (1000 here).' },
      { name: 'unclean.leader.election.enable', default: 'false', note: 'true lets an out-of-sync replica lead: available again, with data lost.' },
      { name: 'acks', default: 'all', note: 'With acks=1, as in this tutorial, an acknowledged record can be lost in a failover.' },
      { name: 'auto.leader.rebalance.enable', default: 'true', note: 'Leadership moves back to the preferred replica after leader.imbalance.check.interval.seconds (300; 30 here).' },
    ],
  },
};
