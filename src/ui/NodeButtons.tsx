import { useState } from 'react';
import type { NodeView } from '../store/clusterStore';
import { usePlayground, usePlaygroundStatus } from './context';
import { formatTime } from './format';

/**
 * Kill or Restart, named "Kill broker 1" / "Restart controller 1000" for people and tests alike;
 * `compact` shows only the verb (the card names the node), the accessible name stays whole.
 */
export function KillRestartButton({ node, compact = false }: { node: NodeView; compact?: boolean }) {
  const playground = usePlayground();
  // Another tab runs the cluster now: this page's nodes are gone, and so are its buttons' targets.
  const frozen = usePlaygroundStatus().kind === 'taken-over';
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const name = `${node.role} ${node.id}`;
  const kill = () => {
    setError(null);
    try {
      if (node.role === 'broker') playground.host.killBroker(node.id);
      else playground.host.killController(node.id);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const restart = () => {
    setError(null);
    setPending(true);
    const restarting = node.role === 'broker' ? playground.host.restartBroker(node.id) : playground.host.restartController(node.id);
    restarting.catch((e: Error) => setError(e.message)).finally(() => setPending(false));
  };
  return (
    <>
      {node.alive
        ? <button type="button" className="kill" onClick={kill} disabled={frozen} aria-label={`Kill ${name}`} title={`Terminate ${name}'s worker, as kill -9`}>{compact ? 'Kill' : `Kill ${name}`}</button>
        : <button type="button" className="restart" onClick={restart} disabled={pending || frozen} aria-label={`Restart ${name}`} title={`Start ${name} again: it recovers its log from IndexedDB`}>{compact ? 'Restart' : `Restart ${name}`}</button>}
      {error && <div className="node-error" role="alert">{error}</div>}
    </>
  );
}

export function Liveness({ node }: { node: NodeView }) {
  return node.alive
    ? <span className="alive">alive</span>
    : <span className="dead">dead since {formatTime(node.since)}</span>;
}
