import { useState, type ReactElement } from 'react';
import { selectTopics, type PartitionDescription, type PartitionState, type ReplicaDescription } from '../store/selectors';
import { TOPIC_CONFIG_DEFAULTS } from '../kafka/config';
import { describeError } from './format';
import { ResultLine, type Result } from './CreateTopicForm';
import { useDerived, usePlayground, usePlaygroundStatus } from './context';

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

function PartitionRow({ topic, p, first, rows, configs }: {
  topic: string; p: PartitionDescription; first: boolean; rows: number; configs: [string, string][];
}) {
  const reportedHw = Math.max(-1, ...p.replicaDetails.map((r) => r.highWatermark));
  // Offline: no leader reports, so the bars use the last high watermark any replica knew.
  const hw = p.highWatermark >= 0 ? p.highWatermark : reportedHw;
  const scale = Math.max(1, hw, ...p.replicaDetails.map((r) => r.logEndOffset));
  const preferred = p.replicas[0];
  const state = STATE_TEXT[p.state];
  return (
    <tr className={`partition-row state-${p.state}`} data-partition={`${topic}-${p.partition}`}>
      {first && (
        <th scope="rowgroup" rowSpan={rows} className="topic-name">
          {topic}
          {configs.length > 0 && <div className="configs">{configs.map(([n, v]) => <div key={n}><code>{n}={v}</code></div>)}</div>}
        </th>
      )}
      <td className="num">{p.partition}</td>
      <td className="state-col">
        <span className={`pstate pstate-${p.state}`} title={state.title}>{state.label}</span>
        <div className="leader-line">
          {p.leader < 0
            ? <>leader <span className="bad">none</span></>
            : <>leader <b>{p.leader}</b> <span className="muted">epoch {p.leaderEpoch}</span></>}
          {p.leader >= 0 && p.leader !== preferred && <span className="muted" title="The first replica is the preferred leader; a preferred leader election moves leadership back to it"> · preferred {preferred}</span>}
        </div>
        <div className="isr-text muted" title="As kafka-topics.sh --describe prints them">Isr {p.isr.join(',') || '—'} of {p.replicas.join(',')}</div>
        {p.pendingIsr && <div className="muted" title="The leader asked the controller for this ISR (AlterPartition); not committed yet">leader proposes {p.pendingIsr.join(',')}</div>}
      </td>
      <td>
        <div className="replica-cells">
          {p.replicaDetails.map((r) => <ReplicaCell key={r.broker} replica={r} highWatermark={hw} scale={scale} topic={topic} partition={p.partition} />)}
        </div>
      </td>
      <td className="num">{offset(p.highWatermark)}</td>
      <td className="num">{offset(p.logEndOffset)}</td>
    </tr>
  );
}

/** kafka-leader-election.sh --election-type preferred --all-topic-partitions, from a button; its result goes below the panel's head. */
function usePreferredElection(): { button: ReactElement; result: ReactElement } {
  const playground = usePlayground();
  const running = usePlaygroundStatus().kind === 'running';
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Result | null>(null);
  const elect = async () => {
    setBusy(true);
    setResult(null);
    try {
      const r = await playground.electPreferredLeaders();
      const tps = (list: { topic: string; partition: number }[]) => list.map((p) => `${p.topic}-${p.partition}`).join(', ');
      if (r.error) setResult({ ok: false, type: r.error, message: 'The controller refused the election.' });
      else if (r.failed.length > 0) {
        setResult({
          ok: false, type: r.failed[0].error,
          message: `Failed for ${r.failed.map((f) => `${f.topic}-${f.partition}${f.message ? ` (${f.message})` : ''}`).join(', ')}.${r.elected.length > 0 ? ` Elected the preferred leader for ${tps(r.elected)}.` : ''}`,
        });
      } else {
        setResult({
          ok: true,
          text: r.elected.length > 0
            ? `Preferred leader elected for ${tps(r.elected)}.${r.notNeeded.length > 0 ? ` ${r.notNeeded.length} other partition${r.notNeeded.length === 1 ? ' was' : 's were'} already led by their preferred replica.` : ''}`
            : `Nothing to do: every partition is led by its preferred replica (ELECTION_NOT_NEEDED for ${r.notNeeded.length}).`,
        });
      }
    } catch (error) {
      setResult({ ok: false, ...describeError(error) });
    } finally {
      setBusy(false);
    }
  };
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
                    <th scope="col">State, leader, ISR</th>
                    <th scope="col" title="In assignment order: the first is the preferred leader">Replicas</th>
                    <th scope="col" className="num" title="The leader's: records below it are on every in-sync replica; consumers read up to it">High watermark</th>
                    <th scope="col" className="num" title="The leader's: the offset the next record will get">Log end offset</th>
                  </tr>
                </thead>
                <tbody>
                  {topics.flatMap((topic) => {
                    const configs = Object.entries(topic.configs).filter(([name, value]) => TOPIC_CONFIG_DEFAULTS[name] !== value);
                    return topic.partitions.map((p, i) => (
                      <PartitionRow key={`${topic.name}-${p.partition}`} topic={topic.name} p={p} first={i === 0} rows={topic.partitions.length} configs={configs} />
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
