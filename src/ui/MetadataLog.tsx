import { useCluster } from './context';
import { formatTime, recordFields } from './format';

const SHOWN = 30;

/** The tail of `__cluster_metadata`, as the active controller wrote it. */
export function MetadataLog() {
  const records = useCluster((s) => s.metadataRecords);
  const metadata = useCluster((s) => s.metadata);
  const shown = records.slice(-SHOWN).reverse();
  const nameOf = (topicId: string) => metadata.topicNamesById.get(topicId);
  return (
    <section className="panel" aria-labelledby="metadata-title">
      <div className="panel-head">
        <h2 id="metadata-title">Metadata log</h2>
        <span className="muted small"><code>__cluster_metadata</code>, newest first</span>
      </div>
      <div className="scroll metadata-scroll">
        <table className="metadata">
          <thead>
            <tr><th scope="col" className="num">Offset</th><th scope="col">Record</th></tr>
          </thead>
          <tbody>
            {shown.length === 0 && <tr><td colSpan={2} className="muted">No records yet.</td></tr>}
            {shown.map(({ offset, record, time }) => (
              <tr key={offset} title={`written at ${formatTime(time)}`}>
                <td className="num">{offset}</td>
                <td>
                  <div className="record-type">{record.type}</div>
                  <div className="record-fields">{recordFields(record, nameOf)}</div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
