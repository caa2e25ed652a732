import { useCluster, useDerived } from './context';
import { inFlightSummary } from './format';

/** "In flight: Fetch 5, Produce 2, BrokerHeartbeat 1": the requests and responses on the wire now. */
export function InFlightLine() {
  const summary = useDerived((s) => [s.inFlight], (s) => inFlightSummary(Object.values(s.inFlight)));
  const delivered = useCluster((s) => s.messagesDelivered);
  return (
    <div className="inflight" aria-live="off">
      <span className="inflight-label">In flight:</span>{' '}
      {summary.length === 0
        ? <span className="muted">nothing</span>
        : summary.map(({ api, count }, i) => (
          <span key={api}>{i > 0 && ', '}<span className="api">{api}</span> {count}</span>
        ))}
      <span className="muted"> · {delivered.toLocaleString('en-US')} messages delivered</span>
    </div>
  );
}
