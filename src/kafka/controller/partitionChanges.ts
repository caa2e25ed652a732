/**
 * Kafka's clean leader election: the first replica, in assignment order, that is in the ISR
 * and not fenced; -1 (offline) if there is none.
 */
export function electLeader(replicas: readonly number[], isr: readonly number[], fenced: ReadonlySet<number>): number {
  for (const id of replicas) if (isr.includes(id) && !fenced.has(id)) return id;
  return -1;
}
