import { useCluster, useDerived } from './context';
import { inFlightSummary } from './format';

/** "Undelivered right now: Fetch 5, Produce 2, BrokerHeartbeat 1": the requests and responses not yet delivered (most take well under a millisecond; the stage draws each hop longer). */
export function InFlightLine() {
  const summary = useDerived((s) => [s.inFlight], (s) => inFlightSummary(Object.values(s.inFlight)));
  const delivered = useCluster((s) => s.messagesDelivered);
  return (
    <div className="inflight" aria-live="off">
      <span className="inflight-label" title="Sent and not yet delivered, as the nodes reported at the last batch">Undelivered right now:</span>{' '}
      {summary.length === 0
        ? <span className="muted">nothing (a hop takes well under a millisecond; the stage draws each one longer)</span>
        : summary.map(({ api, count }, i) => (
          <span key={api}>{i > 0 && ', '}<span className="api">{api}</span> {count}</span>
        ))}
      <span className="muted"> · {delivered.toLocaleString('en-US')} messages delivered</span>
    </div>
  );
}
