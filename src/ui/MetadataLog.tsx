import type { ClusterState } from '../store/clusterStore';
import { useCluster, useDerived } from './context';
import { eventTouches } from '../store/selectors';
import { formatTime, recordFields } from './format';
import { setSelection, useSelection } from './selection';
import './panels.css';

const SHOWN = 30;

type Row =
  | { kind: 'record'; key: string; offset: number; entry: ClusterState['metadataRecords'][number] }
  | { kind: 'snapshot'; key: string; offset: number; nodes: string[]; time: number };

/**
 * The tail of `__cluster_metadata` as the active controllers wrote it, newest first, with a row
 * where the controllers snapshotted it (KIP-630): the log before that offset was then deleted.
 */
export function metadataRows(state: Pick<ClusterState, 'metadataRecords' | 'metadataSnapshots'>, shown = SHOWN): Row[] {
  const records = state.metadataRecords.slice(-shown);
  const from = records[0]?.offset ?? 0;
  const snapshots = new Map<number, { nodes: string[]; time: number }>();
  for (const s of state.metadataSnapshots) {
    if (s.offset < from && records.length >= shown) continue;
    const at = snapshots.get(s.offset) ?? { nodes: [], time: s.time };
    if (!at.nodes.includes(s.node)) at.nodes.push(s.node);
    snapshots.set(s.offset, at);
  }
  const rows: Row[] = [
    ...records.map((entry): Row => ({ kind: 'record', key: `r${entry.offset}`, offset: entry.offset, entry })),
    ...[...snapshots].map(([offset, { nodes, time }]): Row => ({ kind: 'snapshot', key: `s${offset}`, offset, nodes: nodes.sort(), time })),
  ];
  // A snapshot "at offset N" covers the records below N: newest first, it sits between record N and N-1.
  return rows.sort((a, b) => b.offset - a.offset || (a.kind === 'record' ? -1 : 1));
}

export function MetadataLog() {
  const rows = useDerived((s) => [s.metadataRecords, s.metadataSnapshots], (s) => metadataRows(s));
  const metadata = useCluster((s) => s.metadata);
  const nameOf = (topicId: string) => metadata.topicNamesById.get(topicId);
  const selection = useSelection();
  /** A record selects the brokers and partition it names, for the stage. */
  const labelOf = (entry: ClusterState['metadataRecords'][number]) => `__cluster_metadata offset ${entry.offset}: ${entry.record.type} ${recordFields(entry.record, nameOf)}`;
  const pick = (entry: ClusterState['metadataRecords'][number]) => {
    const label = labelOf(entry);
    if (selection?.label === label) {
      setSelection(null);
      return;
    }
    const touch = eventTouches({ type: 'metadata-record', time: entry.time, node: entry.node, offset: entry.offset, record: entry.record }, nameOf);
    setSelection({ ...touch, label });
  };
  return (
    <section className="panel" aria-labelledby="metadata-title">
      <div className="panel-head">
        <h2 id="metadata-title">Metadata log</h2>
        <span className="muted small"><code>__cluster_metadata</code>, newest first, as each active controller committed it</span>
      </div>
      <div className="scroll metadata-scroll">
        <table className="metadata">
          <thead>
            <tr><th scope="col" className="num">Offset</th><th scope="col">Record</th></tr>
          </thead>
          <tbody>
            {rows.length === 0 && <tr><td colSpan={2} className="muted">No records yet.</td></tr>}
            {rows.map((row) => row.kind === 'snapshot'
              ? (
                <tr key={row.key} className="snapshot-row" title={`written at ${formatTime(row.time)}`}>
                  <td className="num">{row.offset}</td>
                  <td>
                    <div className="record-type">snapshot</div>
                    <div className="record-fields">
                      {row.nodes.join(', ')} wrote a snapshot of the metadata image up to offset {row.offset} and deleted the log before it (KIP-630);
                      a controller or broker that lags behind it fetches the snapshot (FetchSnapshot)
                    </div>
                  </td>
                </tr>
              )
              : (
                <tr key={row.key} className={[row.entry.record.type === 'LeaderChangeMessage' ? 'leader-change' : '', selection?.label === labelOf(row.entry) ? 'is-selected' : ''].filter(Boolean).join(' ') || undefined}
                  title={`written at ${formatTime(row.entry.time)} by ${row.entry.node}; click to highlight what it names`} onClick={() => pick(row.entry)}>
                  <td className="num"><button type="button" className="event-pick" aria-pressed={selection?.label === labelOf(row.entry)} aria-label={`Select metadata record ${row.offset}`}>{row.offset}</button></td>
                  <td>
                    <div className="record-type">{row.entry.record.type}<span className="record-by">{row.entry.node}</span></div>
                    <div className="record-fields">{recordFields(row.entry.record, nameOf)}</div>
                  </td>
                </tr>
              ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
