import type { LogStore, MetaStore, StoredBatch } from '../kafka/ports';

/**
 * In-memory LogStore and MetaStore for tests and simulations. They outlive a node's "process",
 * so a killed and restarted node recovers from them as from IndexedDB. Values are copied in
 * and out so a caller can never mutate what is stored.
 */
export class MemoryLogStore implements LogStore {
  readonly partitions = new Map<string, StoredBatch[]>();

  async listPartitions(): Promise<string[]> {
    return [...this.partitions.keys()].filter((p) => (this.partitions.get(p)?.length ?? 0) > 0).sort();
  }
  async readPartition(partition: string): Promise<StoredBatch[]> {
    return (this.partitions.get(partition) ?? []).map((b) => ({ ...b, bytes: b.bytes.slice() }));
  }
  async append(partition: string, batches: StoredBatch[]): Promise<void> {
    const list = this.partitions.get(partition) ?? [];
    for (const batch of batches) list.push({ ...batch, bytes: batch.bytes.slice() });
    list.sort((a, b) => a.baseOffset - b.baseOffset);
    this.partitions.set(partition, list);
  }
  async truncateFrom(partition: string, offset: number): Promise<void> {
    const list = this.partitions.get(partition);
    if (list) this.partitions.set(partition, list.filter((b) => b.baseOffset < offset));
  }
  async deleteBefore(partition: string, offset: number): Promise<void> {
    const list = this.partitions.get(partition);
    if (list) this.partitions.set(partition, list.filter((b) => b.baseOffset >= offset));
  }
  async deletePartition(partition: string): Promise<void> {
    this.partitions.delete(partition);
  }
}

export class MemoryMetaStore implements MetaStore {
  readonly values = new Map<string, unknown>();
  async get<T>(key: string): Promise<T | undefined> {
    return this.values.has(key) ? (structuredClone(this.values.get(key)) as T) : undefined;
  }
  async put(key: string, value: unknown): Promise<void> {
    this.values.set(key, structuredClone(value));
  }
  async delete(key: string): Promise<void> {
    this.values.delete(key);
  }
}
