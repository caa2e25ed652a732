import { selectTopics } from '../store/selectors';
import { TOPIC_CONFIG_DEFAULTS } from '../kafka/config';
import { useDerived } from './context';
import { leaderLabel } from './format';

const offset = (n: number) => (n < 0 ? '—' : n);

/** The cluster's topics as `kafka-topics.sh --describe` prints them, plus each leader's offsets. */
export function TopicsTable() {
  const topics = useDerived((s) => [s.metadata, s.replicas], (s) => selectTopics(s));
  return (
    <section className="panel" aria-labelledby="topics-title">
      <div className="panel-head">
        <h2 id="topics-title">Topics</h2>
        <span className="muted small">like <code>kafka-topics.sh --describe</code>; offsets as the leader reports them</span>
      </div>
      {topics.length === 0
        ? <p className="muted">No topics yet. Create one below.</p>
        : (
          <table className="topics">
            <thead>
              <tr>
                <th scope="col">Topic</th>
                <th scope="col">Partition</th>
                <th scope="col">Leader</th>
                <th scope="col">Replicas</th>
                <th scope="col">Isr</th>
                <th scope="col" className="num" title="First offset still in the log">Log start</th>
                <th scope="col" className="num" title="Records below it are on every in-sync replica; consumers read up to it">High watermark</th>
                <th scope="col" className="num" title="Offset the next record will get">Log end offset</th>
              </tr>
            </thead>
            <tbody>
              {topics.flatMap((topic) => {
                const configs = Object.entries(topic.configs).filter(([name, value]) => TOPIC_CONFIG_DEFAULTS[name] !== value);
                return topic.partitions.map((p, i) => {
                  const underReplicated = p.isr.length < p.replicas.length;
                  const offline = p.leader < 0;
                  return (
                    <tr key={`${topic.name}-${p.partition}`} className={offline ? 'offline' : underReplicated ? 'under-replicated' : undefined}>
                      {i === 0 && (
                        <th scope="rowgroup" rowSpan={topic.partitions.length} className="topic-name">
                          {topic.name}
                          {configs.length > 0 && <div className="configs">{configs.map(([n, v]) => <div key={n}><code>{n}={v}</code></div>)}</div>}
                        </th>
                      )}
                      <td>{p.partition}</td>
                      <td>{offline ? <span className="bad">{leaderLabel(p.leader)}</span> : <>{p.leader} <span className="muted small">epoch {p.leaderEpoch}</span></>}</td>
                      <td>{p.replicas.join(',')}</td>
                      <td>{p.isr.join(',')}{underReplicated && !offline && <span className="warn small"> under-replicated</span>}</td>
                      <td className="num">{offset(p.logStartOffset)}</td>
                      <td className="num">{offset(p.highWatermark)}</td>
                      <td className="num">{offset(p.logEndOffset)}</td>
                    </tr>
                  );
                });
              })}
            </tbody>
          </table>
        )}
    </section>
  );
}
