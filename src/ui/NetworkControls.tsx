import { useState, type FormEvent } from 'react';
import type { NodeView } from '../store/clusterStore';
import { clientsReach, parsePartitionSpec, type NetworkCut } from '../cluster/networkCut';
import { useCluster, usePlayground, usePlaygroundStatus } from './context';

const SIDE_NAMES = 'ABCDEFGH';
/** "side A", "side B", ...: the partition groups as the UI names them. */
export const sideName = (index: number): string => `side ${SIDE_NAMES[index] ?? index + 1}`;
const sideClass = (index: number): string => `side-${index % 4}`;

/** Where node `id` sits in the cut: its side, and whether it is alone there (isolated). */
export function sideOf(cut: NetworkCut | null, id: number): { index: number; isolated: boolean; clients: boolean } | null {
  if (!cut) return null;
  const index = cut.groups.findIndex((g) => g.includes(id));
  if (index < 0) return null;
  return { index, isolated: cut.groups[index].length === 1, clients: clientsReach(cut, id) };
}

/** The classes a node box gets from the cut: its side's colour, and a red frame when isolated. */
export function useSideClasses(node: NodeView): string {
  const cut = useCluster((s) => s.network);
  const side = sideOf(cut, node.id);
  if (!side) return '';
  return ` cut ${sideClass(side.index)}${side.isolated ? ' is-isolated' : ''}`;
}

/** The node's side of the cut, shown among its facts; for brokers, whether the page's clients reach it. */
export function NodeSide({ node }: { node: NodeView }) {
  const cut = useCluster((s) => s.network);
  const side = sideOf(cut, node.id);
  if (!cut || !side) return null;
  const group = `{${cut.groups[side.index].join(',')}}`;
  return (
    <>
      <span className={`side-badge ${sideClass(side.index)}`} title={`Network partition: this node reaches only the nodes of ${group}; messages to and from the others are dropped`}>
        {side.isolated ? 'isolated' : `${sideName(side.index)} ${group}`}
      </span>
      {node.role === 'broker' && !side.clients && (
        <span className="side-note" title="The page's producers, consumers and admin sit on the other side of the cut">unreachable from the page&apos;s clients</span>
      )}
    </>
  );
}

/** "Isolate broker 3": cuts the node off from every other node (it keeps running). */
export function IsolateButton({ node }: { node: NodeView }) {
  const playground = usePlayground();
  const frozen = usePlaygroundStatus().kind === 'taken-over';
  const cut = useCluster((s) => s.network);
  const [error, setError] = useState<string | null>(null);
  const name = `${node.role} ${node.id}`;
  const alone = sideOf(cut, node.id)?.isolated ?? false;
  const isolate = () => {
    setError(null);
    try {
      playground.host.isolate(node.id);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <>
      <button type="button" className="isolate" onClick={isolate} disabled={frozen || alone} aria-label={alone ? `${name} is isolated` : `Isolate ${name}`}
        title={alone ? 'Cut off from every other node; Heal network reconnects it' : `Cut ${name} off from every other node, both ways; it keeps running`}>
        {alone ? 'Isolated' : 'Isolate'}
      </button>
      {error && <div className="node-error" role="alert">{error}</div>}
    </>
  );
}

/**
 * The network's state above the nodes: with a cut, the banner "network partition: {1,2,1000} | {3}",
 * each side in its colour, where the page's clients sit, and Heal network; without one, a form to
 * partition the nodes by hand.
 */
export function NetworkBanner() {
  const playground = usePlayground();
  const frozen = usePlaygroundStatus().kind === 'taken-over';
  const cut = useCluster((s) => s.network);
  const [spec, setSpec] = useState('');
  const [error, setError] = useState<string | null>(null);
  const attempt = (action: () => void) => {
    setError(null);
    try {
      action();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const partition = (event: FormEvent) => {
    event.preventDefault();
    attempt(() => {
      const groups = parsePartitionSpec(spec);
      if (groups.length === 0) throw new Error('Name the groups, as "1 2 1000 | 3"');
      playground.host.partition(groups);
      setSpec('');
    });
  };
  if (!cut) {
    return (
      <div className="network-bar healthy" aria-label="Network">
        <span className="network-state">Network: every node reaches every other</span>
        <form className="partition-form" onSubmit={partition}>
          <label>
            <span className="muted small">Partition into</span>{' '}
            <input value={spec} onChange={(e) => setSpec(e.target.value)} placeholder="1 2 1000 | 3" aria-label="Partition groups"
              title="Node ids (brokers 1, 2, 3…, controllers 1000…) in groups split by |; nodes left out join the first group. The page's clients sit with the largest group (you can move them once the network is cut)" disabled={frozen} />
          </label>
          <button type="submit" disabled={frozen || spec.trim() === ''}>Partition</button>
        </form>
        <button type="button" className="heal" disabled>Heal network</button>
        {error && <span className="node-error" role="alert">{error}</span>}
      </div>
    );
  }
  const clientsSide = cut.groups[cut.clients];
  const moveClients = (index: number) => attempt(() => playground.host.partition(cut.groups, { clientsWith: cut.groups[index][0] }));
  return (
    <div className="network-bar partitioned" role="status" aria-label="Network">
      <div className="network-banner">
        <b>network partition:</b>{' '}
        <span className="banner-text" data-testid="partition-banner">
          {cut.groups.map((g, i) => (
            <span key={g.join(',')}>
              {i > 0 && <span className="cut-bar"> | </span>}
              <span className={`side-badge ${sideClass(i)}`} title={sideName(i)}>{`{${g.join(',')}}`}</span>
            </span>
          ))}
        </span>
        <button type="button" className="heal" onClick={() => attempt(() => playground.host.heal())} disabled={frozen}>Heal network</button>
      </div>
      <div className="network-detail small">
        Messages between sides are dropped at the transport, both ways, with no error: each side learns only by its timeouts.
        The page&apos;s clients (producers, consumers, admin) sit with{' '}
        <label>
          <select aria-label="Side of the page's clients" value={cut.clients} onChange={(e) => moveClients(Number(e.target.value))} disabled={frozen}>
            {cut.groups.map((g, i) => <option key={g.join(',')} value={i}>{sideName(i)} {`{${g.join(',')}}`}</option>)}
          </select>
        </label>
        {' '}and reach only its brokers{clientsSide.some((id) => id < 1000) ? '' : ' (none there)'}.
      </div>
      {error && <div className="node-error" role="alert">{error}</div>}
    </div>
  );
}
