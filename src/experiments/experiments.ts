/**
 * Kafka's known failure stories, each ending the textbook way, as data: the cluster, the topic
 * and its configs, the producer's settings per variant, the steps, and the judge that says
 * whether this run proved the claim, refuted it, or did not reproduce it. Timeouts are Kafka's
 * as the playground sets them (broker.session.timeout.ms 3000, replica.lag.time.max.ms 10000,
 * controller.quorum.election.timeout.ms 1000), on the cluster clock.
 */
import type { Experiment, RunResult, Verdict } from './model';
import { plural } from '../ui/format';


const failedRun = (r: RunResult | undefined): Verdict | null => {
  if (!r) return { outcome: 'not-reproduced', why: 'The run did not take place.' };
  if (r.error) return { outcome: 'not-reproduced', why: `The run stopped early: ${r.error}` };
  return null;
};

const lostWhy = (r: RunResult): string => `${plural(r.counters.lost ?? 0, 'acknowledged record')} never delivered (${r.counters.lostValues.slice(0, 3).join(', ')}${(r.counters.lost ?? 0) > 3 ? ', ...' : ''})`;

/** A run that failed, or lost an acknowledged record where its claim is that none is lost (`tail` ends the sentence). */
const failedOrLost = (r: RunResult | undefined, tail = '.'): Verdict | null =>
  failedRun(r) ?? ((r!.counters.lost ?? 0) > 0 ? { outcome: 'refuted', why: `${lostWhy(r!)}${tail}` } : null);

/** One verdict from several variants': refuted if any is, proved if all are, else not reproduced. */
function combine(parts: Verdict[]): Verdict {
  const why = parts.map((p) => p.why).join(' ');
  if (parts.some((p) => p.outcome === 'refuted')) return { outcome: 'refuted', why };
  if (parts.length > 0 && parts.every((p) => p.outcome === 'proved')) return { outcome: 'proved', why };
  return { outcome: 'not-reproduced', why };
}

const T_ACKS1 = 'acks1-loss';
const T_MINISR = 'min-isr';
const T_UNCLEAN = 'unclean';
const T_ISR = 'isr-shrink';
const T_IDEMP = 'idempotence';
const T_CRASH = 'crash-orders';
const T_CTRL = 'controller-kill';
const T_SPLIT = 'quorum-split';

export const EXPERIMENTS: readonly Experiment[] = [
  {
    id: 'acks1-leader-loss',
    title: 'acks=1: the leader dies before its followers fetch',
    claim: 'With acks=1, records the leader acknowledged are lost when it dies before any follower fetched them.',
    inKafka: 'acks=1 answers once the leader has appended the record to its own log; followers copy it on their next Fetch. If the leader fails first, the controller elects a follower from the ISR (a clean election: unclean.leader.election.enable=false changes nothing here), and the old leader truncates its log to the new leader\'s when it returns. acks=all with min.insync.replicas=2 closes this window.',
    cluster: { brokers: 3, controllers: 1 },
    topic: { name: T_ACKS1, partitions: 1, replicationFactor: 3, configs: {} },
    speed: 2,
    delivery: 'read',
    variants: [{ id: 'acks1', label: 'acks=1', probe: { acks: 1, retries: 10 } }],
    steps: [
      { do: 'produce', count: 10, say: 'Write 10 records with acks=1 while every follower fetches' },
      { do: 'wait-for', until: { kind: 'acknowledged-replicated' }, timeoutMs: 10_000, say: 'All three replicas have them: the high watermark is past the last one' },
      { do: 'remember', name: 'old', target: `leader:${T_ACKS1}/0`, say: 'Note the leader' },
      { do: 'fault', fault: { action: 'isolate', target: '$old', clientsWith: '$old' }, atMs: 2000, say: 'Cut the leader off from its followers (and the controller); the producer still reaches it' },
      { do: 'produce', count: 20, say: 'Write 20 more with acks=1: the leader acknowledges each at once, and no follower can fetch them' },
      { do: 'fault', fault: { action: 'killBroker', target: '$old' }, atMs: 2500, say: 'Kill the leader before any follower fetched them' },
      { do: 'fault', fault: { action: 'heal' }, atMs: 2600, say: 'Heal the network' },
      { do: 'wait-for', id: 'failover', until: { kind: 'leader-elected', not: 'old' }, timeoutMs: 30_000, say: 'The controller fences the dead leader (broker.session.timeout.ms) and elects a follower from the ISR' },
      { do: 'fault', fault: { action: 'restartBroker', target: '$old' }, atMs: 8000, say: 'Restart the old leader: it follows the new one and truncates what the new leader never had' },
      { do: 'wait-for', until: { kind: 'isr-includes', ref: 'old' }, timeoutMs: 30_000, say: 'The old leader is back in the ISR' },
      { do: 'produce', count: 5, say: 'Write 5 more to the new leader' },
    ],
    judge([r]) {
      const failed = failedRun(r);
      if (failed) return failed;
      if ((r.counters.lost ?? 0) > 0) return { outcome: 'proved', why: `${lostWhy(r)}: acknowledged by the old leader alone, then cut from its log.` };
      return { outcome: 'not-reproduced', why: 'Every acknowledged record survived this time: the followers had fetched them before the leader died.' };
    },
  },
  {
    id: 'acks-all-min-isr',
    title: 'acks=all, min.insync.replicas=2, replication factor 3',
    claim: 'With acks=all and min.insync.replicas=2 on three replicas, writes go on with one broker down, are refused with NOT_ENOUGH_REPLICAS with two down, and nothing acknowledged is lost.',
    inKafka: 'acks=all (-1, the default since Kafka 3.0) waits for every replica in the ISR; min.insync.replicas (default 1) is the smallest ISR a leader accepts such a write with. Below it the leader answers NOT_ENOUGH_REPLICAS: the producer loses availability, never acknowledged data.',
    cluster: { brokers: 3, controllers: 1 },
    topic: { name: T_MINISR, partitions: 1, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } },
    speed: 2,
    delivery: 'read',
    variants: [{ id: 'all', label: 'acks=all', probe: { acks: -1, retries: 2 } }],
    steps: [
      { do: 'produce-start', everyMs: 100, say: 'Produce with acks=all, one record every 100 ms' },
      { do: 'wait-for', until: { kind: 'acknowledged', count: 10 }, timeoutMs: 20_000, say: '10 records acknowledged' },
      { do: 'remember', name: 'first', target: `follower:${T_MINISR}/0`, say: 'Pick a follower' },
      { do: 'fault', fault: { action: 'killBroker', target: '$first' }, atMs: 3000, say: 'Kill one broker' },
      { do: 'wait-for', until: { kind: 'isr-excludes', ref: 'first' }, timeoutMs: 30_000, say: 'The controller fences it and shrinks the ISR to two: still min.insync.replicas' },
      { do: 'mark', name: 'one-down', say: 'Count from here' },
      { do: 'wait-for', id: 'writes-go-on', until: { kind: 'acknowledged', count: 10, since: 'one-down' }, timeoutMs: 30_000, say: 'Writes go on with two in-sync replicas' },
      { do: 'remember', name: 'second', target: `follower:${T_MINISR}/0`, say: 'Pick the other follower' },
      { do: 'mark', name: 'two-down', say: 'Count from here' },
      { do: 'fault', fault: { action: 'killBroker', target: '$second' }, atMs: 9000, say: 'Kill a second broker' },
      { do: 'wait-for', id: 'refused', until: { kind: 'send-failed', error: 'NOT_ENOUGH_REPLICAS', since: 'two-down' }, timeoutMs: 30_000, say: 'With one in-sync replica, the leader refuses acks=all writes: NOT_ENOUGH_REPLICAS' },
      { do: 'produce-stop', say: 'Stop producing' },
      { do: 'fault', fault: { action: 'restartBroker', target: '$first' }, atMs: 16_000, say: 'Restart the first broker' },
      { do: 'fault', fault: { action: 'restartBroker', target: '$second' }, atMs: 16_100, say: 'Restart the second broker' },
      { do: 'wait-for', until: { kind: 'isr-size', size: 3 }, timeoutMs: 60_000, say: 'Both catch up and rejoin the ISR' },
    ],
    judge([r]) {
      const failed = failedOrLost(r, ' although acks=all and min.insync.replicas=2.');
      if (failed) return failed;
      const after = r.counters.acknowledged - (r.marks['one-down']?.acknowledged ?? r.counters.acknowledged);
      const refused = (r.errors.NOT_ENOUGH_REPLICAS ?? 0);
      if (r.waits['writes-go-on'] && r.waits.refused) {
        const unacknowledged = r.counters.delivered - r.counters.acknowledged;
        const written = unacknowledged > 0 ? ` ${plural(unacknowledged, 'record')} whose send failed ${unacknowledged === 1 ? 'was' : 'were'} in the log all the same: a failed send does not mean nothing was written (a leader may append before the ISR shrinks, then answer NOT_ENOUGH_REPLICAS_AFTER_APPEND).` : '';
        return { outcome: 'proved', why: `Writes went on with one broker down (${plural(after, 'record')} acknowledged after it died), ${plural(refused, 'send')} failed with NOT_ENOUGH_REPLICAS with two down, and all ${r.counters.acknowledged} acknowledged records were read back.${written}` };
      }
      return { outcome: 'not-reproduced', why: 'Nothing acknowledged was lost, but the run did not show both phases (writes with one broker down, NOT_ENOUGH_REPLICAS with two).' };
    },
  },
  {
    id: 'unclean-election',
    title: 'Unclean leader election: on versus off',
    claim: 'With unclean.leader.election.enable=true an out-of-sync replica takes over and acknowledged records are lost; with false the partition stays offline until an in-sync replica returns, and nothing is lost.',
    inKafka: 'unclean.leader.election.enable (default false since Kafka 0.11) decides what the controller does when no ISR member is alive: wait (the partition is offline, producers and consumers stall) or elect any live replica and lose what it lacks. min.insync.replicas=1 (the default) let the leader alone acknowledge acks=all writes here.',
    cluster: { brokers: 3, controllers: 1 },
    topic: { name: T_UNCLEAN, partitions: 1, replicationFactor: 3, configs: { 'min.insync.replicas': '1' } },
    speed: 2,
    delivery: 'read',
    variants: [
      { id: 'on', label: 'unclean.leader.election.enable=true', topicConfigs: { 'unclean.leader.election.enable': 'true' }, probe: { acks: -1, retries: 2 } },
      { id: 'off', label: 'unclean.leader.election.enable=false', topicConfigs: { 'unclean.leader.election.enable': 'false' }, probe: { acks: -1, retries: 2 } },
    ],
    steps: [
      { do: 'produce', count: 5, say: 'Write 5 records with acks=all, on all three replicas' },
      { do: 'remember', name: 'leader', target: `leader:${T_UNCLEAN}/0`, say: 'Note the leader' },
      { do: 'remember', name: 'lagging', target: `follower:${T_UNCLEAN}/0`, say: 'Note a follower' },
      { do: 'remember', name: 'other', target: `follower:${T_UNCLEAN}/0/1`, say: 'Note the other follower' },
      { do: 'fault', fault: { action: 'killBroker', target: '$lagging' }, atMs: 2000, say: 'Kill one follower' },
      { do: 'fault', fault: { action: 'killBroker', target: '$other' }, atMs: 2100, say: 'Kill the other follower' },
      { do: 'wait-for', until: { kind: 'isr-size', size: 1 }, timeoutMs: 30_000, say: 'The controller fences them: the ISR is the leader alone' },
      { do: 'produce', count: 10, say: 'Write 10 more with acks=all: with min.insync.replicas=1 the leader alone acknowledges them' },
      { do: 'fault', fault: { action: 'killBroker', target: '$leader' }, atMs: 7000, say: 'Kill the leader: no in-sync replica is left' },
      { do: 'wait-for', until: { kind: 'offline' }, timeoutMs: 30_000, say: 'The partition is offline' },
      { do: 'fault', fault: { action: 'restartBroker', target: '$lagging' }, atMs: 11_000, say: 'Restart a follower that missed those 10 records' },
      { do: 'wait-for', id: 'out-of-sync-leads', until: { kind: 'leader-elected' }, timeoutMs: 12_000, optional: true, say: 'Does the controller let the out-of-sync replica lead?' },
      { do: 'fault', fault: { action: 'restartBroker', target: '$leader' }, atMs: 23_000, say: 'Restart the old leader' },
      { do: 'wait-for', until: { kind: 'isr-includes', ref: 'leader' }, timeoutMs: 30_000, say: 'The old leader is back in the ISR: leading again, or following (and truncated) after an unclean election' },
      { do: 'fault', fault: { action: 'restartBroker', target: '$other' }, atMs: 27_000, say: 'Restart the other follower' },
      { do: 'wait-for', until: { kind: 'isr-size', size: 3 }, timeoutMs: 60_000, say: 'All three in sync again' },
    ],
    judge(results) {
      const parts: Verdict[] = [];
      const on = results.find((r) => r.variant === 'on');
      const off = results.find((r) => r.variant === 'off');
      if (on) {
        const failed = failedRun(on);
        const unclean = on.elections.some((e) => e.kind === 'unclean');
        if (failed) parts.push(failed);
        else if (unclean && (on.counters.lost ?? 0) > 0) parts.push({ outcome: 'proved', why: `On: the out-of-sync replica was elected (an unclean election) and ${lostWhy(on)}.` });
        else if (!unclean) parts.push({ outcome: 'not-reproduced', why: 'On: no unclean election happened this time.' });
        else parts.push({ outcome: 'not-reproduced', why: 'On: an unclean election happened, yet every acknowledged record was read back.' });
      }
      if (off) {
        const failed = failedRun(off);
        if (failed) parts.push(failed);
        else if ((off.counters.lost ?? 0) > 0) parts.push({ outcome: 'refuted', why: `Off: ${lostWhy(off)}.` });
        else if (off.waits['out-of-sync-leads'] || off.elections.some((e) => e.kind === 'unclean')) parts.push({ outcome: 'refuted', why: 'Off: an out-of-sync replica was elected all the same.' });
        else parts.push({ outcome: 'proved', why: `Off: the partition stayed offline while only the out-of-sync replica was up, the old leader led again when it returned, and all ${off.counters.acknowledged} acknowledged records were read back.` });
      }
      return combine(parts);
    },
  },
  {
    id: 'follower-leaves-isr',
    title: 'A follower cut off until it leaves the ISR, then rejoins',
    claim: 'A follower that stops fetching leaves the ISR, acks=all writes go on without it, and once it can fetch again it catches up and rejoins the ISR, with nothing acknowledged lost.',
    inKafka: 'Cut off, the follower can neither fetch from the leader nor heartbeat the controller: the controller fences it after broker.session.timeout.ms (9000 in Kafka, 3000 here) and removes it from the ISR. A live follower that only lags is dropped by its leader after replica.lag.time.max.ms (30000 in Kafka, 10000 here), through AlterPartition. Either way it rejoins once its log end reaches the leader\'s high watermark.',
    cluster: { brokers: 3, controllers: 1 },
    topic: { name: T_ISR, partitions: 1, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } },
    speed: 2,
    delivery: 'read',
    variants: [{ id: 'all', label: 'acks=all', probe: { acks: -1, retries: 5 } }],
    steps: [
      { do: 'produce-start', everyMs: 100, say: 'Produce with acks=all, one record every 100 ms' },
      { do: 'wait-for', until: { kind: 'acknowledged', count: 5 }, timeoutMs: 20_000, say: '5 records acknowledged' },
      { do: 'remember', name: 'cut', target: `follower:${T_ISR}/0`, say: 'Pick a follower' },
      { do: 'fault', fault: { action: 'isolate', target: '$cut' }, atMs: 2000, say: 'Cut the follower off the network' },
      { do: 'wait-for', id: 'left', until: { kind: 'isr-excludes', ref: 'cut' }, timeoutMs: 30_000, say: 'It leaves the ISR' },
      { do: 'mark', name: 'out', say: 'Count from here' },
      { do: 'wait-for', id: 'writes-go-on', until: { kind: 'acknowledged', count: 10, since: 'out' }, timeoutMs: 30_000, say: 'acks=all writes go on with two in-sync replicas' },
      { do: 'fault', fault: { action: 'heal' }, atMs: 9000, say: 'Heal the network' },
      { do: 'wait-for', id: 'rejoined', until: { kind: 'isr-includes', ref: 'cut' }, timeoutMs: 60_000, say: 'It fetches what it missed and rejoins the ISR' },
      { do: 'produce-stop', say: 'Stop producing' },
    ],
    judge([r]) {
      const failed = failedOrLost(r);
      if (failed) return failed;
      if (r.waits.left && r.waits['writes-go-on'] && r.waits.rejoined) {
        const during = (r.marks.out ? r.counters.acknowledged - r.marks.out.acknowledged : 0);
        return { outcome: 'proved', why: `The follower left the ISR, ${plural(during, 'record')} were acknowledged from then on, it rejoined after the heal, and all ${r.counters.acknowledged} acknowledged records were read back.` };
      }
      return { outcome: 'not-reproduced', why: 'Nothing was lost, but the follower did not both leave and rejoin the ISR in this run.' };
    },
  },
  {
    id: 'idempotence-failover',
    title: 'Idempotence off versus on across a leader failover',
    claim: 'A retry after a lost answer writes a record twice without idempotence, and exactly once with enable.idempotence=true.',
    inKafka: 'The leader appended the record and both followers copied it, but the leader died before its answer reached the producer. The producer retries on the new leader, which already has the record. Without idempotence (KafkaJS\'s default; Java\'s before Kafka 3.0) it is appended again at a new offset. With enable.idempotence=true (Java\'s default since 3.0) the batch carries a producer id and sequence number, the new leader recognises it and answers with the original offset.',
    cluster: { brokers: 3, controllers: 1 },
    topic: { name: T_IDEMP, partitions: 1, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } },
    speed: 1,
    delivery: 'read',
    variants: [
      { id: 'off', label: 'enable.idempotence=false', probe: { acks: -1, idempotent: false, retries: 10 } },
      { id: 'on', label: 'enable.idempotence=true', probe: { acks: -1, idempotent: true, retries: 10 } },
    ],
    steps: [
      { do: 'produce', count: 5, say: 'Write 5 records with acks=all' },
      { do: 'remember', name: 'old', target: `leader:${T_IDEMP}/0`, say: 'Note the leader' },
      { do: 'visual-latency', ms: 300, say: 'Slow every hop to 300 ms, to open the window between the followers\' copy and the answer' },
      { do: 'send-in-background', say: 'Send one more record' },
      { do: 'wait-for', id: 'replicated', until: { kind: 'unacknowledged-on-followers' }, timeoutMs: 10_000, say: 'Both followers have it; the producer has no answer yet' },
      { do: 'fault', fault: { action: 'killBroker', target: '$old' }, atMs: 2000, say: 'Kill the leader before its answer reaches the producer' },
      { do: 'visual-latency', ms: 0, say: 'Back to normal speed' },
      { do: 'wait-for', until: { kind: 'leader-elected', not: 'old' }, timeoutMs: 30_000, say: 'A follower that has the record becomes leader' },
      { do: 'await-sends', timeoutMs: 30_000, say: 'The producer retries the record on the new leader' },
      { do: 'produce', count: 5, say: 'Write 5 more' },
      { do: 'fault', fault: { action: 'restartBroker', target: '$old' }, atMs: 8000, say: 'Restart the old leader' },
      { do: 'wait-for', until: { kind: 'isr-size', size: 3 }, timeoutMs: 60_000, say: 'All three in sync again' },
    ],
    judge(results) {
      const parts: Verdict[] = [];
      for (const r of results) {
        const failed = failedRun(r);
        if (failed) {
          parts.push(failed);
          continue;
        }
        const retried = (r.faults.find((f) => f.text.startsWith('kill'))?.pendingSends ?? 0) > 0;
        const dup = r.counters.duplicated;
        if (r.variant === 'off') {
          if (dup > 0) parts.push({ outcome: 'proved', why: `Off: ${plural(dup, 'record')} written twice (${r.counters.duplicatedValues.join(', ')}).` });
          else parts.push({ outcome: 'not-reproduced', why: retried ? 'Off: the record was retried but written once: the new leader did not have it this time.' : 'Off: the answer was not lost this time, so nothing was retried.' });
        } else if (dup > 0) {
          parts.push({ outcome: 'refuted', why: `On: ${plural(dup, 'record')} written twice all the same.` });
        } else if (!retried) {
          parts.push({ outcome: 'not-reproduced', why: 'On: the answer was not lost this time, so nothing was retried.' });
        } else if ((r.counters.lost ?? 0) > 0) {
          parts.push({ outcome: 'refuted', why: `On: ${lostWhy(r)}.` });
        } else {
          parts.push({ outcome: 'proved', why: `On: the retried record was written once; all ${r.counters.acknowledged} acknowledged records read back once each.` });
        }
      }
      return combine(parts);
    },
  },
  {
    id: 'consumer-crash',
    title: 'A consumer crashing mid-batch',
    claim: 'A consumer that crashes mid-batch makes its group reprocess what it had not committed, and skips nothing.',
    inKafka: 'A consumer commits offsets (auto.commit.interval.ms, 5000 by default; 2000 here) after processing. Killed in between, it never commits its last records: when session.timeout.ms passes, the coordinator rebalances and the partition\'s new owner starts from the committed offset, processing those records again. At-least-once: process, then commit.',
    cluster: { brokers: 3, controllers: 1 },
    topic: { name: T_CRASH, partitions: 1, replicationFactor: 3, configs: {} },
    speed: 2,
    delivery: 'consumer',
    variants: [{ id: 'autocommit', label: 'auto commit every 2 s', probe: { acks: -1 } }],
    steps: [
      { do: 'produce', count: 60, say: 'Write 60 records' },
      {
        do: 'start-consumer', as: 'first', atMs: 0, say: 'A consumer starts on them: 100 ms of work per record',
        options: { groupId: 'crash-group', topics: [T_CRASH], sessionTimeout: 6000, heartbeatInterval: 1000, autoCommitInterval: 2000, processingDelayMs: 100 },
      },
      { do: 'wait-for', until: { kind: 'processed-past-commit', ref: 'first', group: 'crash-group', count: 5 }, timeoutMs: 60_000, say: 'It has committed, and processed 5 records past its last commit' },
      { do: 'fault', fault: { action: 'killClient', target: '$first' }, atMs: 8000, say: 'Crash it mid-batch, before its next commit' },
      {
        do: 'start-consumer', as: 'second', atMs: 0, say: 'A replacement joins the group',
        options: { groupId: 'crash-group', topics: [T_CRASH], sessionTimeout: 6000, heartbeatInterval: 1000, autoCommitInterval: 2000, processingDelayMs: 20 },
      },
      { do: 'wait-for', id: 'all', until: { kind: 'all-delivered' }, timeoutMs: 90_000, say: 'After the dead member\'s session.timeout.ms the group rebalances; the replacement resumes from the committed offset' },
    ],
    judge([r]) {
      const failed = failedOrLost(r, ': skipped.');
      if (failed) return failed;
      if (r.counters.reprocessed > 0) return { outcome: 'proved', why: `${plural(r.counters.reprocessed, 'record')} processed twice (after the last commit, before the crash), and none of the ${r.counters.acknowledged} records skipped.` };
      return { outcome: 'not-reproduced', why: 'Nothing was skipped, and nothing was reprocessed: the crash came right after a commit.' };
    },
  },
  {
    id: 'controller-killed',
    title: 'The active controller killed',
    claim: 'Killing the active controller makes the quorum elect another within seconds; producers keep writing, metadata changes resume, and nothing acknowledged is lost.',
    inKafka: 'In KRaft the controllers are a Raft quorum (controller.quorum.voters); the active controller is its leader. When it stops, the others wait controller.quorum.election.timeout.ms (1000 by default), vote, and the winner becomes active in a higher epoch, with the whole metadata log. Brokers keep serving the partitions they lead meanwhile: the data path does not go through the controller.',
    cluster: { brokers: 3, controllers: 3 },
    topic: { name: T_CTRL, partitions: 1, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } },
    speed: 2,
    delivery: 'read',
    variants: [{ id: 'all', label: 'acks=all', probe: { acks: -1 } }],
    steps: [
      { do: 'produce-start', everyMs: 100, say: 'Produce with acks=all, one record every 100 ms' },
      { do: 'wait-for', until: { kind: 'acknowledged', count: 5 }, timeoutMs: 20_000, say: '5 records acknowledged' },
      { do: 'remember', name: 'old', target: 'controller:active', say: 'Note the active controller' },
      { do: 'fault', fault: { action: 'killController', target: '$old' }, atMs: 2000, say: 'Kill the active controller' },
      { do: 'wait-for', id: 'elected', until: { kind: 'new-active-controller', not: 'old' }, timeoutMs: 30_000, say: 'The two others hold an election; one becomes active in a higher epoch' },
      { do: 'mark', name: 'after', say: 'Count from here' },
      { do: 'wait-for', id: 'writes-go-on', until: { kind: 'acknowledged', count: 10, since: 'after' }, timeoutMs: 30_000, say: 'Producers keep writing' },
      { do: 'create-topic', id: 'metadata', name: `${T_CTRL}-after`, say: 'Create a topic: the new active controller commits it' },
      { do: 'fault', fault: { action: 'restartController', target: '$old' }, atMs: 8000, say: 'Restart the old controller' },
      { do: 'wait-for', id: 'follows', until: { kind: 'controller-follows', ref: 'old' }, timeoutMs: 30_000, say: 'It follows the new active controller' },
      { do: 'produce-stop', say: 'Stop producing' },
    ],
    judge([r]) {
      const failed = failedOrLost(r);
      if (failed) return failed;
      if (r.waits.elected && r.waits['writes-go-on'] && r.waits.metadata) {
        return { outcome: 'proved', why: `A new active controller was elected, ${plural(r.counters.acknowledged - (r.marks.after?.acknowledged ?? 0), 'record')} were acknowledged after it, a topic was created, and all ${r.counters.acknowledged} acknowledged records were read back.` };
      }
      return { outcome: 'not-reproduced', why: 'The run did not show every part of the claim.' };
    },
  },
  {
    id: 'quorum-split',
    title: 'A split of the controller quorum',
    claim: 'An active controller cut off from the majority steps down; the majority elects a new one while writes go on, and after healing the old one follows it.',
    inKafka: 'A Raft leader needs a majority of controller.quorum.voters to commit. Cut off, it hears from no follower, and resigns after 1.5 × controller.quorum.fetch.timeout.ms (2000 by default). The majority\'s followers time out waiting for it and elect a new leader in a higher epoch. The minority cannot elect anyone: there is never a second active controller that can commit.',
    cluster: { brokers: 3, controllers: 3 },
    topic: { name: T_SPLIT, partitions: 1, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } },
    speed: 2,
    delivery: 'read',
    variants: [{ id: 'all', label: 'acks=all', probe: { acks: -1 } }],
    steps: [
      { do: 'produce-start', everyMs: 100, say: 'Produce with acks=all, one record every 100 ms' },
      { do: 'wait-for', until: { kind: 'acknowledged', count: 5 }, timeoutMs: 20_000, say: '5 records acknowledged' },
      { do: 'remember', name: 'old', target: 'controller:active', say: 'Note the active controller' },
      { do: 'fault', fault: { action: 'isolate', target: '$old' }, atMs: 2000, say: 'Split it from the other two controllers and the brokers' },
      { do: 'wait-for', id: 'elected', until: { kind: 'new-active-controller', not: 'old' }, timeoutMs: 30_000, say: 'The majority elects a new active controller in a higher epoch' },
      { do: 'wait-for', id: 'resigned', until: { kind: 'controller-not-leader', ref: 'old' }, timeoutMs: 30_000, say: 'The cut-off leader hears from no majority and steps down' },
      { do: 'mark', name: 'split', say: 'Count from here' },
      { do: 'wait-for', id: 'writes-go-on', until: { kind: 'acknowledged', count: 10, since: 'split' }, timeoutMs: 30_000, say: 'Writes go on' },
      { do: 'fault', fault: { action: 'heal' }, atMs: 9000, say: 'Heal the network' },
      { do: 'wait-for', id: 'follows', until: { kind: 'controller-follows', ref: 'old' }, timeoutMs: 30_000, say: 'The old leader learns the higher epoch and follows' },
      { do: 'produce-stop', say: 'Stop producing' },
    ],
    judge([r]) {
      const failed = failedOrLost(r);
      if (failed) return failed;
      if (r.waits.elected && r.waits.resigned && r.waits['writes-go-on'] && r.waits.follows) {
        return { outcome: 'proved', why: `The cut-off controller stepped down, the majority elected a new one, writes went on, it followed after the heal, and all ${r.counters.acknowledged} acknowledged records were read back.` };
      }
      return { outcome: 'not-reproduced', why: 'The run did not show every part of the claim.' };
    },
  },
];

export function experimentById(id: string): Experiment | undefined {
  return EXPERIMENTS.find((e) => e.id === id);
}
