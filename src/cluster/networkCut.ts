/**
 * Network partitions as data: which nodes can talk to which. Pure, so the browser's host, the
 * simulations and the store share one meaning of `isolate`, `partition` and `heal`.
 *
 * A cut splits the cluster's nodes (brokers 1..n, controllers 1000+) into groups: nodes in the
 * same group talk, nodes in different groups do not, in either direction. The page's clients
 * (producers, consumers, admin) are not nodes: they sit on one side of the cut, with the group
 * `clients` names, and reach only the brokers of that group. By default they sit with the
 * largest group (the first of the largest), as an application usually does in a data centre
 * that keeps most of the cluster.
 */
export interface NetworkCut {
  /** Every node in exactly one group, each group sorted (brokers first, then controllers), groups in the order given. */
  groups: number[][];
  /** Index into `groups` of the side the page's clients are on. */
  clients: number;
}

export interface PartitionOptions {
  /** Put the page's clients on the side of this node instead of the largest side. */
  clientsWith?: number;
}

const sortIds = (ids: number[]): number[] => [...ids].sort((a, b) => a - b);

const largest = (groups: number[][]): number =>
  groups.reduce((best, group, i) => (group.length > groups[best].length ? i : best), 0);

/**
 * The cut `partition(spec)` makes among `nodes`. Every id must be a node of the cluster and may
 * appear once; nodes the spec leaves out stay together in the first group. Empty groups are
 * dropped; a spec that leaves everyone in one group is no cut at all (null).
 */
export function partitionCut(spec: readonly (readonly number[])[], nodes: readonly number[], options: PartitionOptions = {}): NetworkCut | null {
  const known = new Set(nodes);
  const seen = new Set<number>();
  for (const group of spec) {
    for (const id of group) {
      if (!Number.isInteger(id) || !known.has(id)) throw new Error(`There is no node ${id} in this cluster (nodes: ${sortIds([...known]).join(', ')})`);
      if (seen.has(id)) throw new Error(`Node ${id} is in more than one group of the partition`);
      seen.add(id);
    }
  }
  const groups = spec.map((group) => [...group]);
  const rest = nodes.filter((id) => !seen.has(id));
  if (rest.length > 0) {
    if (groups.length === 0) groups.push([]);
    groups[0].push(...rest);
  }
  const nonEmpty = groups.filter((g) => g.length > 0).map(sortIds);
  if (nonEmpty.length <= 1) return null;
  let clients = largest(nonEmpty);
  if (options.clientsWith !== undefined) {
    const side = nonEmpty.findIndex((g) => g.includes(options.clientsWith!));
    if (side < 0) throw new Error(`There is no node ${options.clientsWith} in this cluster`);
    clients = side;
  }
  return { groups: nonEmpty, clients };
}

/**
 * `isolate(id)` on top of the current cut: the node leaves its group for a group of its own,
 * and every other cut stays. The clients stay where they were (with the rest of the node's
 * old group when that was their side), unless `clientsWith` moves them.
 */
export function isolateCut(current: NetworkCut | null, id: number, nodes: readonly number[], options: PartitionOptions = {}): NetworkCut | null {
  if (!nodes.includes(id)) throw new Error(`There is no node ${id} in this cluster (nodes: ${sortIds([...nodes]).join(', ')})`);
  const groups = current ? current.groups.map((g) => [...g]) : [[...nodes]];
  const clientSide = current ? groups[current.clients] : groups[0];
  const from = groups.findIndex((g) => g.includes(id));
  if (from >= 0 && groups[from].length === 1) return current; // already alone
  const remaining = groups.map((g) => g.filter((n) => n !== id));
  const next = [...remaining, [id]].filter((g) => g.length > 0).map(sortIds);
  if (next.length <= 1) return null;
  // The clients' side keeps them, now without the isolated node (if it was there).
  const stayed = clientSide.filter((n) => n !== id);
  let clients = stayed.length > 0 ? next.findIndex((g) => g.includes(stayed[0])) : largest(next);
  if (options.clientsWith !== undefined) {
    clients = next.findIndex((g) => g.includes(options.clientsWith!));
    if (clients < 0) throw new Error(`There is no node ${options.clientsWith} in this cluster`);
  }
  return { groups: next, clients };
}

/** Whether the cut drops messages between nodes a and b (never within one node). */
export function isCut(cut: NetworkCut | null, a: number, b: number): boolean {
  if (!cut || a === b) return false;
  const side = (id: number) => cut.groups.findIndex((g) => g.includes(id));
  return side(a) !== side(b);
}

/** The nodes `id` cannot reach (nor be reached from) under the cut. */
export function unreachableFrom(cut: NetworkCut | null, id: number, nodes: readonly number[]): number[] {
  return nodes.filter((other) => isCut(cut, id, other));
}

/** Whether the page's clients can reach node `id`. */
export function clientsReach(cut: NetworkCut | null, id: number): boolean {
  return !cut || cut.groups[cut.clients]?.includes(id) === true;
}

/** Every pair of nodes the cut separates, each once as [smaller, larger]. */
export function cutPairs(cut: NetworkCut | null, nodes: readonly number[]): [number, number][] {
  const sorted = sortIds([...nodes]);
  const pairs: [number, number][] = [];
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length; j++) if (isCut(cut, sorted[i], sorted[j])) pairs.push([sorted[i], sorted[j]]);
  }
  return pairs;
}

/** "{1,2,1000} | {3}", the form the UI's banner and the event log use. */
export function formatCut(cut: NetworkCut | null): string {
  if (!cut) return 'no partition';
  return cut.groups.map((g) => `{${g.join(',')}}`).join(' | ');
}

/**
 * Reads "1 2 1000 | 3" or "{1,2,1000} | {3}" (the banner's own form) into a spec for
 * partitionCut: groups split by "|", ids by commas or spaces.
 */
export function parsePartitionSpec(text: string): number[][] {
  const groups = text.split('|').map((part) => part.replace(/[{}[\]]/g, ' ').split(/[\s,]+/).filter(Boolean));
  return groups.map((ids) => ids.map((raw) => {
    const id = Number(raw);
    if (!Number.isInteger(id)) throw new Error(`"${raw}" is not a node id`);
    return id;
  })).filter((g) => g.length > 0);
}
