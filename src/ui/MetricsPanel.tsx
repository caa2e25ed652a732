import { LAG_MBEAN, METRICS, WINDOW_SECONDS, lagMaxKey, lagSumKey, latestValue, type MetricKind } from '../store/metrics';
import { useCluster } from './context';
import './panels.css';

const WIDTH = 120;
const HEIGHT = 26;

/** A sparkline of one value per second, the newest at the right edge; the window is always WINDOW_SECONDS wide. */
function Sparkline({ values, label, kind }: { values: readonly number[]; label: string; kind: MetricKind }) {
  const max = Math.max(1, ...values);
  const step = WIDTH / (WINDOW_SECONDS - 1);
  const x0 = WIDTH - (values.length - 1) * step;
  const y = (v: number) => HEIGHT - 1 - (v / max) * (HEIGHT - 3);
  const points = values.map((v, i) => `${(x0 + i * step).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const latest = latestValue(values, kind);
  return (
    <svg className="sparkline" width={WIDTH} height={HEIGHT} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img"
      aria-label={`${label}: ${latest} now, at most ${Math.max(0, ...values)} over the last ${values.length} s`}>
      <line x1={0} x2={WIDTH} y1={HEIGHT - 1} y2={HEIGHT - 1} className="sparkline-base" />
      {values.length > 1 && <polyline points={points} className="sparkline-line" />}
      {values.length > 0 && <circle cx={WIDTH} cy={y(values[values.length - 1])} r={1.8} className="sparkline-dot" />}
    </svg>
  );
}

const format = (n: number): string => (n >= 10_000 ? `${(n / 1000).toFixed(n >= 100_000 ? 0 : 1)}k` : String(Math.round(n * 10) / 10));

function MetricRow({ name, mbean, help, unit, kind, values, alert }: {
  name: string; mbean: string; help: string; unit: string; kind: MetricKind; values: readonly number[]; alert?: boolean;
}) {
  const value = latestValue(values, kind);
  // A meter's rate over the window's complete seconds, as JMX's OneMinuteRate (an average here, not an EWMA).
  const complete = values.slice(0, -1);
  const average = kind === 'rate' && complete.length > 0 ? complete.reduce((a, b) => a + b, 0) / complete.length : null;
  return (
    // A plain list item (role="group" on it would break the list's structure for screen readers).
    <li className={`metric${alert ? ' metric-alert' : ''}`} aria-label={name} title={help}>
      <div className="metric-head">
        <span className="metric-name">{name}</span>
        <span className="metric-value" aria-label={`${name} value`}>{format(value)}</span>
        {unit && <span className="metric-unit muted">{unit}</span>}
        {average !== null && <span className="metric-unit muted" title={`The average per second over the last ${complete.length} s, like the MBean's OneMinuteRate`}>· 1-min {format(average)}</span>}
        <span className="spacer" />
        <Sparkline values={values} label={name} kind={kind} />
      </div>
      <code className="metric-mbean">{mbean}</code>
    </li>
  );
}

/**
 * Kafka's JMX metrics as a Kafka engineer would chart them, cluster-wide, one value per second of
 * cluster time over the last minute (the metrics fold, src/store/metrics.ts).
 */
export function MetricsPanel() {
  const metrics = useCluster((s) => s.metrics);
  const empty: readonly number[] = [];
  return (
    <section className="panel metrics-panel" aria-labelledby="metrics-title">
      <div className="panel-head">
        <h2 id="metrics-title">Metrics</h2>
        <span className="muted small">JMX names, per second of cluster time, last {WINDOW_SECONDS} s</span>
      </div>
      <ul className="metrics">
        {METRICS.map((m) => {
          const values = metrics.series[m.name] ?? empty;
          const latest = latestValue(values, m.kind);
          const alert = (m.name === 'UnderReplicatedPartitions' || m.name === 'OfflinePartitionsCount') ? latest > 0 : m.name === 'ActiveControllerCount' && values.length > 0 && latest !== 1;
          return <MetricRow key={m.name} {...m} values={values} alert={alert} />;
        })}
        {metrics.groups.map((groupId) => {
          const sum = latestValue(metrics.series[lagSumKey(groupId)] ?? empty, 'gauge');
          return (
            <MetricRow key={`lag-${groupId}`} name={`consumer lag ${groupId}`} kind="gauge" unit={`max, sum ${format(sum)}`}
              mbean={`kafka-consumer-groups.sh LAG (high watermark - committed offset); each consumer's own: ${LAG_MBEAN}`}
              help={`The largest LAG of group ${groupId}'s partitions (charted) and their total, from committed offsets and high watermarks`}
              values={metrics.series[lagMaxKey(groupId)] ?? empty} />
          );
        })}
      </ul>
    </section>
  );
}
