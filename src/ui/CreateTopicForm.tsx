import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { ResultLine, useAction } from './action';
import { adminOf } from './client';
import { useCluster, usePlayground, usePlaygroundStatus } from './context';
import { useTopicChoice } from './TopicSelect';
import { describeError } from './format';
import './configs.css';

export function CreateTopicForm() {
  const playground = usePlayground();
  const running = usePlaygroundStatus().kind === 'running';
  const admin = useMemo(() => adminOf(playground, 'playground-ui-admin'), [playground]);
  const [name, setName] = useState('');
  const [partitions, setPartitions] = useState('3');
  const [replicationFactor, setReplicationFactor] = useState('3');
  const [minIsr, setMinIsr] = useState('');
  const [unclean, setUnclean] = useState(false);
  const { busy, result, run } = useAction();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const topic = name.trim();
    void run(async () => {
      const configEntries = [
        ...(minIsr.trim() ? [{ name: 'min.insync.replicas', value: minIsr.trim() }] : []),
        // Sent only when it departs from Kafka's default (false), as kafka-topics.sh --config would be.
        ...(unclean ? [{ name: 'unclean.leader.election.enable', value: 'true' }] : []),
      ];
      const created = await (await admin()).createTopics({
        topics: [{ topic, numPartitions: Number(partitions), replicationFactor: Number(replicationFactor), configEntries }],
      });
      return created === false
        ? { ok: false, type: 'TOPIC_ALREADY_EXISTS', message: `Topic '${topic}' already exists.` }
        : { ok: true, text: `Created topic ${topic}: ${partitions} partition${partitions === '1' ? '' : 's'}, replication factor ${replicationFactor}${configEntries.map((c) => `, ${c.name}=${c.value}`).join('')}.` };
    });
  };

  return (
    <section className="panel form-panel" aria-labelledby="create-topic-title">
      <h2 id="create-topic-title">Create topic</h2>
      <form onSubmit={submit} className="form">
        <label>
          <span>Name</span>
          <input value={name} onChange={(e) => setName(e.target.value)} required placeholder="orders" pattern="[a-zA-Z0-9._\-]+" maxLength={249} />
        </label>
        <div className="row">
          <label>
            <span>Partitions</span>
            <input type="number" min={1} value={partitions} onChange={(e) => setPartitions(e.target.value)} required />
          </label>
          <label>
            <span>Replication factor</span>
            <input type="number" min={1} value={replicationFactor} onChange={(e) => setReplicationFactor(e.target.value)} required />
          </label>
        </div>
        <label>
          <span><code>min.insync.replicas</code> <span className="muted">(optional; with acks=all, a write needs this many in-sync replicas)</span></span>
          <input type="number" min={1} value={minIsr} onChange={(e) => setMinIsr(e.target.value)} placeholder="1 (Kafka's default)" />
        </label>
        <label className="checkbox-line">
          <input type="checkbox" checked={unclean} onChange={(e) => setUnclean(e.target.checked)} />
          <span><code>unclean.leader.election.enable</code> <span className="muted">(Kafka&apos;s default: false). When no in-sync replica is left, let an out-of-sync one lead: the partition stays available and loses the records it lacks.</span></span>
        </label>
        <button type="submit" disabled={busy || !running}>{busy ? 'Creating…' : 'Create topic'}</button>
        {!running && <span className="muted small"> once the cluster is running</span>}
      </form>
      <ResultLine result={result} />
      <AddPartitions />
      <DeleteTopic />
    </section>
  );
}

/** The form's topic (see useTopicChoice) with its partition count. */
function useTopicWithPartitions() {
  const { topics, topic, choose } = useTopicChoice();
  const partitions = useCluster((s) => s.metadata.topics.get(topic)?.partitions.filter(Boolean).length ?? 0);
  return { topics, topic: topic ? { name: topic, partitions } : null, choose };
}

/**
 * kafka-topics.sh --alter --partitions: CreatePartitions to a broker, forwarded to the active
 * controller, which writes a PartitionRecord for each new partition.
 */
function AddPartitions() {
  const playground = usePlayground();
  const running = usePlaygroundStatus().kind === 'running';
  const admin = useMemo(() => adminOf(playground, 'playground-ui-admin'), [playground]);
  const { topics, topic, choose } = useTopicWithPartitions();
  const [count, setCount] = useState('');
  const { busy, result, run } = useAction();
  const total = count.trim() === '' ? (topic ? topic.partitions + 1 : 1) : Number(count);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!topic) return;
    const { name } = topic;
    void run(async () => {
      await (await admin()).createPartitions({ topicPartitions: [{ topic: name, count: total }] });
      setCount('');
      return {
        ok: true,
        text: `${name} now has ${total} partitions. Producers and consumers see them at their next metadata refresh (KafkaJS's metadataMaxAge, 300000 ms by default); a group reading the topic then rebalances. Keys now hash over ${total} partitions: many keys go to another partition from now on, so a key's records before and after the change are no longer in one partition, in order.`,
      };
    });
  };

  return (
    <div className="add-partitions">
      <h3 id="add-partitions-title">Add partitions</h3>
      <form onSubmit={submit} className="form" aria-labelledby="add-partitions-title" noValidate>
        <div className="row">
          <label>
            <span>Topic</span>
            <select aria-label="Topic to add partitions to" value={topic?.name ?? ''} onChange={(e) => { choose(e.target.value); setCount(''); }} disabled={topics.length === 0}>
              {topics.length === 0 && <option value="">no topics</option>}
              {topics.map((t) => <option key={t} value={t}>{t}</option>)}
            </select>
          </label>
          <label>
            <span>Partitions in all</span>
            <input type="number" value={count} placeholder={String(total)} onChange={(e) => setCount(e.target.value)} aria-label="Partitions in all" />
          </label>
          <button type="submit" disabled={!topic || !running || busy}>{busy ? 'Adding…' : 'Add partitions'}</button>
        </div>
      </form>
      <ResultLine result={result} />
    </div>
  );
}

/**
 * kafka-topics.sh --delete, after a confirmation: DeleteTopics to a broker, which forwards it to
 * the active controller; its RemoveTopicRecord makes every broker delete its replicas, and the
 * topic leaves the page as the store replays that record.
 */
function DeleteTopic() {
  const playground = usePlayground();
  const running = usePlaygroundStatus().kind === 'running';
  const admin = useMemo(() => adminOf(playground, 'playground-ui-admin'), [playground]);
  const { topics, topic, choose } = useTopicWithPartitions();
  const [confirming, setConfirming] = useState(false);
  const { busy, result, setResult, run } = useAction();
  const cancelRef = useRef<HTMLButtonElement>(null);
  const openerRef = useRef<HTMLButtonElement>(null);
  useEffect(() => { if (confirming) cancelRef.current?.focus(); }, [confirming]);

  const close = () => {
    setConfirming(false);
    requestAnimationFrame(() => openerRef.current?.focus());
  };
  const remove = async () => {
    if (!topic) return;
    const name = topic.name;
    await run(async () => {
      await (await admin()).deleteTopics({ topics: [name] });
      setConfirming(false);
      return { ok: true, text: `Deleted topic ${name}: the controller wrote a RemoveTopicRecord, and each broker deletes its replicas as it replays it.` };
    }, (error) => {
      close();
      return { ok: false, ...describeError(error) };
    });
  };

  return (
    <div className="delete-topic">
      <h3 id="delete-topic-title">Delete topic</h3>
      <div className="form">
        <div className="row">
          <label>
            <span>Topic</span>
            <select aria-label="Topic to delete" value={topic?.name ?? ''} onChange={(e) => { choose(e.target.value); setConfirming(false); }} disabled={topics.length === 0 || confirming}>
              {topics.length === 0 && <option value="">no topics</option>}
              {topics.map((t) => <option key={t} value={t}>{t}</option>)}
            </select>
          </label>
          <button ref={openerRef} type="button" className="kill" disabled={!topic || !running || confirming || busy} onClick={() => { setResult(null); setConfirming(true); }}>
            Delete topic…
          </button>
        </div>
      </div>
      {confirming && topic && (
        <div className="confirm" role="alertdialog" aria-labelledby="delete-confirm-title" aria-describedby="delete-confirm-text"
          onKeyDown={(e) => { if (e.key === 'Escape') { e.stopPropagation(); close(); } }}>
          <p id="delete-confirm-title"><b>Delete topic {topic.name}?</b></p>
          <p id="delete-confirm-text">
            Its {topic.partitions} partition{topic.partitions === 1 ? '' : 's'} and every record in {topic.partitions === 1 ? 'it' : 'them'} are deleted from
            every broker. This cannot be undone.
          </p>
          <div className="confirm-buttons">
            <button type="button" className="danger" disabled={busy} onClick={() => void remove()}>{busy ? 'Deleting…' : `Delete ${topic.name}`}</button>
            <button ref={cancelRef} type="button" onClick={close}>Cancel</button>
          </div>
        </div>
      )}
      <ResultLine result={result} />
    </div>
  );
}
