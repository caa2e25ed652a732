import { useMemo, useState, type FormEvent } from 'react';
import { producerOf, readSendResult } from './client';
import { usePlayground, usePlaygroundStatus } from './context';
import { TopicSelect, useTopicChoice } from './TopicSelect';
import { ResultLine, useAction } from './action';
import { describeError } from './format';

/** Why a produce failed, for the errors replication brings; the Kafka name is shown beside it. */
export const PRODUCE_ERROR_HINTS: Record<string, string> = {
  NOT_ENOUGH_REPLICAS: "fewer in-sync replicas than the topic's min.insync.replicas: with acks=all the leader refused the record before appending it",
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: 'the ISR shrank below min.insync.replicas while the leader waited for it: the record is in the leader\'s log but was not acknowledged',
  NOT_LEADER_OR_FOLLOWER: 'the broker no longer leads the partition; the producer refreshed metadata and retried until its retries ran out',
  LEADER_NOT_AVAILABLE: 'the partition has no leader right now (an election is under way, or it is offline)',
  REQUEST_TIMED_OUT: 'no answer in time: with acks=all the leader waits for every in-sync replica',
};

const ACKS = [
  { value: -1, label: 'all (-1)', meaning: 'the leader replies once every in-sync replica has the record' },
  { value: 1, label: '1', meaning: 'the leader replies once it has appended the record' },
  { value: 0, label: '0', meaning: 'no reply at all: fire and forget' },
];

export function ProduceForm() {
  const playground = usePlayground();
  const running = usePlaygroundStatus().kind === 'running';
  const producer = useMemo(() => producerOf(playground, 'playground-ui-producer'), [playground]);
  const { topics, topic, choose } = useTopicChoice();
  const [key, setKey] = useState('');
  const [value, setValue] = useState('hello, Kafka');
  const [acks, setAcks] = useState(-1);
  const { busy, result, run } = useAction();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const sent = readSendResult(await (await producer()).send({ topic, acks, messages: [{ key: key === '' ? null : key, value }] }));
      const first = sent[0];
      return {
        ok: true,
        text: !first
          ? `Sent to ${topic} with acks=0: the broker does not reply, so the partition and offset are unknown.`
          : first.offset === null
            ? `Sent to ${first.topicName}-${first.partition} (no offset returned with acks=${acks}).`
            : `Written to ${first.topicName}-${first.partition} at offset ${first.offset}.`,
      };
    }, (error) => {
      const described = describeError(error);
      const hint = described.type ? PRODUCE_ERROR_HINTS[described.type] : undefined;
      return { ok: false, type: described.type, message: hint ? `${described.message ? `${described.message.replace(/\.$/, '')}. ` : ''}Meaning: ${hint}.` : described.message };
    });
  };

  return (
    <section className="panel form-panel" aria-labelledby="produce-title">
      <h2 id="produce-title">Produce a record</h2>
      <form onSubmit={submit} className="form">
        <div className="row">
          <TopicSelect topics={topics} topic={topic} onChange={choose} />
          <label>
            <span><code>acks</code></span>
            <select value={acks} onChange={(e) => setAcks(Number(e.target.value))}>
              {ACKS.map((a) => <option key={a.value} value={a.value}>{a.label}</option>)}
            </select>
          </label>
        </div>
        <p className="note small">acks={acks === -1 ? 'all' : acks}: {ACKS.find((a) => a.value === acks)?.meaning}.</p>
        <label>
          <span>Key <span className="muted">(optional)</span></span>
          <input value={key} onChange={(e) => setKey(e.target.value)} placeholder="alice" />
        </label>
        <p className="note small">
          The key picks the partition (murmur2 hash, as Java and KafkaJS do). No key: KafkaJS&apos;s default partitioner
          spreads records round-robin; Java&apos;s client uses sticky partitioning (KIP-480).
        </p>
        <label>
          <span>Value</span>
          <input value={value} onChange={(e) => setValue(e.target.value)} />
        </label>
        <button type="submit" disabled={busy || !running || !topic}>{busy ? 'Sending…' : 'Send'}</button>
        {!running && <span className="muted small"> once the cluster is running</span>}
      </form>
      <ResultLine result={result} />
    </section>
  );
}
