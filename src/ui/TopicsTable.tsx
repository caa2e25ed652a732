import type { ReactElement } from 'react';
import { selectTopics, type PartitionDescription, type PartitionState, type ReplicaDescription, type TopicDescription } from '../store/selectors';
import { TOPIC_CONFIG_DEFAULTS } from '../kafka/config';
import { ResultLine, useAction } from './action';
import { useDerived, usePlayground, usePlaygroundStatus } from './context';
import { setSelection, useSelection } from './selection';
import './panels.css';

const offset = (n: number) => (n < 0 ? '—' : n);

export const STATE_TEXT: Record<PartitionState, { label: string; title: string }> = {
  online: { label: 'online', title: 'Every replica is in the ISR' },
  'under-replicated': { label: 'under-replicated', title: 'Some replica is not in the ISR: fewer copies than the replication factor' },
  'under-min-isr': { label: 'under min ISR', title: 'Fewer in-sync replicas than min.insync.replicas: acks=all writes fail with NOT_ENOUGH_REPLICAS' },
  offline: { label: 'offline', title: 'No leader (-1): no live in-sync replica may lead, so nothing can be written or read' },
};

/**
 * One replica as a cell: broker, rack, leader crown, ISR membership, and a bar of its log:
 * solid up to the partition's high watermark (committed), hatched beyond it (not yet on every
 * in-sync replica, and cut if a new leader lacks it).
 */
function ReplicaCell({ replica, highWatermark, scale, topic, partition }: {
  replica: ReplicaDescription; highWatermark: number; scale: number; topic: string; partition: number;
}) {
  const leo = replica.logEndOffset;
  const pct = (n: number) => `${scale > 0 ? Math.max(0, Math.min(100, (n / scale) * 100)) : 0}%`;
  const committed = leo < 0 ? 0 : Math.min(leo, Math.max(highWatermark, 0));
  const down = !replica.alive;
  const classes = ['replica-cell', replica.leader ? 'is-leader' : '', replica.inIsr ? 'in-isr' : 'out-of-isr', down ? 'is-down' : ''].filter(Boolean).join(' ');
  const membership = replica.inIsr ? 'in the ISR' : 'not in the ISR';
  const lag = replica.logEndOffsetAtLeader !== null ? `; the leader last saw it at log end offset ${replica.logEndOffsetAtLeader}` : '';
  const title = `${topic}-${partition} on broker ${replica.broker}${replica.rack ? ` (${replica.rack})` : ''}: ${replica.leader ? 'leader' : replica.role === 'none' ? 'no role reported' : replica.role}, ${membership}, log end offset ${leo < 0 ? 'not reported' : leo}${lag}${down ? '. The broker is down: as last reported' : replica.fenced ? '. The broker is fenced' : ''}`;
  return (
    <div className={classes} title={title} data-broker={replica.broker}>
      <div className="cell-head">
        <span className="cell-broker">{replica.leader ? <span className="crown" aria-label="leader">★</span> : null}{replica.broker}</span>
        {replica.rack && <span className="cell-rack">{replica.rack}</span>}
        <span className={`cell-isr ${replica.inIsr ? 'yes' : 'no'}`}>{down ? 'down' : replica.inIsr ? 'ISR' : 'out of ISR'}</span>
      </div>
      <div className="log-bar" aria-hidden="true">
        <span className="log-committed" style={{ width: pct(committed) }} />
        {leo > committed && <span className="log-uncommitted" style={{ left: pct(committed), width: `calc(${pct(leo)} - ${pct(committed)})` }} />}
        {highWatermark >= 0 && <span className="log-hw" style={{ left: pct(highWatermark) }} />}
      </div>
      <div className="cell-offsets">LEO <b>{leo < 0 ? '—' : leo}</b></div>
    </div>
  );
}

/** The topic's first line of kafka-topics.sh --describe, and how many of its partitions are under-replicated or offline. */
function TopicCell({ topic, rows, configs }: { topic: TopicDescription; rows: number; configs: [string, string][] }) {
  return (
    <th scope="rowgroup" rowSpan={rows} className="topic-name" title={`PartitionCount ${topic.partitions.length}, ReplicationFactor ${Math.max(0, ...topic.partitions.map((p) => p.replicas.length))}`}>
      {topic.name}
      <div className="topic-health">
        <span className={topic.underReplicatedPartitions > 0 ? 'health-bad' : 'muted'} title="Partitions whose ISR is smaller than their replicas (kafka-topics.sh --describe --under-replicated-partitions)">
          under-replicated <b data-count="under-replicated">{topic.underReplicatedPartitions}</b>
        </span>
      </div>
      <div className="topic-health">
        <span className={topic.offlinePartitions > 0 ? 'health-bad' : 'muted'} title="Partitions without a leader (kafka-topics.sh --describe --unavailable-partitions)">
          offline <b data-count="offline">{topic.offlinePartitions}</b>
        </span>
      </div>
      {configs.length > 0 && <div className="configs">{configs.map(([n, v]) => <div key={n}><code>{n}={v}</code></div>)}</div>}
    </th>
  );
}

function PartitionRow({ topic, p, first, selected }: {
  topic: TopicDescription; p: PartitionDescription; first: ReactElement | null; selected: boolean;
}) {
  const reportedHw = Math.max(-1, ...p.replicaDetails.map((r) => r.highWatermark));
  // Offline: no leader reports, so the bars use the last high watermark any replica knew.
  const hw = p.highWatermark >= 0 ? p.highWatermark : reportedHw;
  const scale = Math.max(1, hw, ...p.replicaDetails.map((r) => r.logEndOffset));
  const preferred = p.replicas[0];
  const state = STATE_TEXT[p.state];
  const name = `${topic.name}-${p.partition}`;
  const select = () => setSelection(selected ? null : {
    nodes: p.replicas.map((id) => `broker-${id}`), topic: topic.name, partition: p.partition,
    label: `${name}: leader ${p.leader < 0 ? 'none' : p.leader}, replicas ${p.replicas.join(',')}, ISR ${p.isr.join(',') || 'empty'}`,
  });
  return (
    <tr className={`partition-row state-${p.state}${selected ? ' is-selected' : ''}`} data-partition={name} aria-selected={selected}>
      {first}
      <td className="num">
        <button type="button" className="link-button" onClick={select} aria-pressed={selected} title={`Highlight ${name} and its replicas`} aria-label={`Select ${name}`}>{p.partition}</button>
      </td>
      <td className="leader-col">
        {p.leader < 0
          ? <span className="bad">none</span>
          : <><b>{p.leader}</b> <span className="muted">e{p.leaderEpoch}</span></>}
        {p.leader >= 0 && p.leader !== preferred && <div className="muted small" title="The first replica is the preferred leader; a preferred leader election moves leadership back to it">preferred {preferred}</div>}
      </td>
      <td className="mono-col" title="In assignment order: the first is the preferred leader">{p.replicas.join(',')}</td>
      <td className="isr-col">
        <div className="mono-col">{p.isr.join(',') || '—'}</div>
        <span className={`pstate pstate-${p.state}`} title={state.title}>{state.label}</span>
        {p.pendingIsr && <div className="muted small" title="The leader asked the controller for this ISR (AlterPartition); not committed yet">leader proposes {p.pendingIsr.join(',')}</div>}
      </td>
      <td className="num">{offset(p.logStartOffset)}</td>
      <td className="num">{offset(p.highWatermark)}</td>
      <td className="num">{offset(p.logEndOffset)}</td>
      <td>
        <div className="replica-cells">
          {p.replicaDetails.map((r) => <ReplicaCell key={r.broker} replica={r} highWatermark={hw} scale={scale} topic={topic.name} partition={p.partition} />)}
        </div>
      </td>
    </tr>
  );
}

/** kafka-leader-election.sh --election-type preferred --all-topic-partitions, from a button; its result goes below the panel's head. */
function usePreferredElection(): { button: ReactElement; result: ReactElement } {
  const playground = usePlayground();
  const running = usePlaygroundStatus().kind === 'running';
  const { busy, result, run } = useAction();
  const elect = () => run(async () => {
    const r = await playground.electPreferredLeaders();
    const tps = (list: { topic: string; partition: number }[]) => list.map((p) => `${p.topic}-${p.partition}`).join(', ');
    if (r.error) return { ok: false, type: r.error, message: 'The controller refused the election.' };
    if (r.failed.length > 0) {
      return {
        ok: false, type: r.failed[0].error,
        message: `Failed for ${r.failed.map((f) => `${f.topic}-${f.partition}${f.message ? ` (${f.message})` : ''}`).join(', ')}.${r.elected.length > 0 ? ` Elected the preferred leader for ${tps(r.elected)}.` : ''}`,
      };
    }
    return {
      ok: true,
      text: r.elected.length > 0
        ? `Preferred leader elected for ${tps(r.elected)}.${r.notNeeded.length > 0 ? ` ${r.notNeeded.length} other partition${r.notNeeded.length === 1 ? ' was' : 's were'} already led by their preferred replica.` : ''}`
        : `Nothing to do: every partition is led by its preferred replica (ELECTION_NOT_NEEDED for ${r.notNeeded.length}).`,
    };
  });
  return {
    button: (
      <button type="button" onClick={() => void elect()} disabled={busy || !running}
        title="kafka-leader-election.sh --election-type preferred: an ElectLeaders request, forwarded by a broker to the controller, moves each partition's leadership back to its first replica">
        {busy ? 'Electing…' : 'Preferred leader election'}
      </button>
    ),
    result: <div className="election-result"><ResultLine result={result} /></div>,
  };
}

/** The cluster's topics as `kafka-topics.sh --describe` prints them, with each replica's log drawn. */
export function TopicsTable() {
  const topics = useDerived((s) => [s.metadata, s.replicas, s.nodes], (s) => selectTopics(s));
  const election = usePreferredElection();
  const selection = useSelection();
  return (
    <section className="panel" aria-labelledby="topics-title">
      <div className="panel-head">
        <h2 id="topics-title">Topics and replicas</h2>
        <span className="muted small">like <code>kafka-topics.sh --describe</code>, with every replica&apos;s log</span>
        <span className="spacer" />
        {election.button}
      </div>
      {election.result}
      {topics.length === 0
        ? <p className="muted">No topics yet. Create one beside.</p>
        : (
          <>
            <div className="table-scroll">
              <table className="topics">
                <thead>
                  <tr>
                    <th scope="col">Topic</th>
                    <th scope="col" className="num">Partition</th>
                    <th scope="col" title="The partition leader's broker id and its leader epoch">Leader</th>
                    <th scope="col" title="In assignment order: the first is the preferred leader">Replicas</th>
                    <th scope="col" title="In-sync replicas, as the controller committed them">Isr</th>
                    <th scope="col" className="num" title="The leader's log start offset: records below it were deleted by retention">Log start</th>
                    <th scope="col" className="num" title="The leader's: records below it are on every in-sync replica; consumers read up to it">High watermark</th>
                    <th scope="col" className="num" title="The leader's: the offset the next record will get">Log end</th>
                    <th scope="col" title="Each replica's log as the replica reports it">Replica logs</th>
                  </tr>
                </thead>
                <tbody>
                  {topics.flatMap((topic) => {
                    const configs = Object.entries(topic.configs).filter(([name, value]) => TOPIC_CONFIG_DEFAULTS[name] !== value);
                    return topic.partitions.map((p, i) => (
                      <PartitionRow key={`${topic.name}-${p.partition}`} topic={topic} p={p}
                        first={i === 0 ? <TopicCell topic={topic} rows={topic.partitions.length} configs={configs} /> : null}
                        selected={selection?.topic === topic.name && selection.partition === p.partition} />
                    ));
                  })}
                </tbody>
              </table>
            </div>
            <p className="legend small muted">
              Each replica&apos;s bar is its log: <span className="key key-committed" /> below the high watermark (on every in-sync replica,
              readable by consumers), <span className="key key-uncommitted" /> above it (not yet on every in-sync replica: a new leader
              that lacks it cuts it off), <span className="key key-hw" /> the high watermark. <b>★</b> leader; a dashed cell is out of the
              ISR; a grey one is on a broker that is down.
            </p>
          </>
        )}
    </section>
  );
}
