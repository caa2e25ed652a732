import { useId, useMemo, useState, type FormEvent } from 'react';
import { ASSIGNORS as CLIENT_ASSIGNORS, JAVA_DEFAULT_ASSIGNORS, KAFKAJS_DEFAULT_ASSIGNOR } from '../kafka/group/assignors';
import { consumerAppsOf } from './client';
import { usePlayground, usePlaygroundStatus } from './context';
import { useTopicNames } from './TopicSelect';
import { ResultLine, useAction } from './action';

/**
 * partition.assignment.strategy choices, by the protocol name members send in JoinGroup: the
 * assignors the client has, and the Java client's default list.
 */
const LABEL_NOTES: Record<string, string> = {
  [KAFKAJS_DEFAULT_ASSIGNOR]: ' (KafkaJS default)',
  'cooperative-sticky': ' (incremental, KIP-429)',
};
export const ASSIGNOR_CHOICES: { value: string; label: string }[] = [
  ...[...CLIENT_ASSIGNORS.keys()].map((name) => ({ value: name, label: `${name}${LABEL_NOTES[name] ?? ''}` })),
  { value: JAVA_DEFAULT_ASSIGNORS.join(','), label: `[${JAVA_DEFAULT_ASSIGNORS.join(', ')}] (Java default)` },
];

/** KafkaJS's session timeout; Java's consumer has 45000 since Kafka 3.0 (KIP-735). */
const KAFKAJS_SESSION_TIMEOUT = 30000;

/** Start a consumer application in its own Web Worker: cluster.startConsumer from a form. */
export function ConsumerForm() {
  const playground = usePlayground();
  const apps = useMemo(() => consumerAppsOf(playground), [playground]);
  const running = usePlaygroundStatus().kind === 'running';
  const topics = useTopicNames();
  // The form may be on the page twice (groups panel, client applications): ids stay unique.
  const listId = `${useId()}-topics`;
  const [groupId, setGroupId] = useState('demo-group');
  const [topicText, setTopicText] = useState('');
  const [assignor, setAssignor] = useState(KAFKAJS_DEFAULT_ASSIGNOR);
  const [sessionTimeout, setSessionTimeout] = useState(String(KAFKAJS_SESSION_TIMEOUT));
  const [fromBeginning, setFromBeginning] = useState(true);
  const [delay, setDelay] = useState('0');
  const [open, setOpen] = useState(true);
  const { busy, result, run } = useAction();
  const topicList = (topicText.trim() === '' ? topics.slice(0, 1) : topicText.split(',')).map((t) => t.trim()).filter(Boolean);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const id = await apps.startConsumer({
        groupId: groupId.trim(), topics: topicList, fromBeginning, assignors: assignor.split(','),
        sessionTimeout: Number(sessionTimeout) || KAFKAJS_SESSION_TIMEOUT, processingDelayMs: Number(delay) || 0,
      });
      return { ok: true, text: `Started ${id} in group ${groupId.trim()}: it finds the coordinator (FindCoordinator) and joins (JoinGroup).` };
    });
  };

  return (
    <details className="consumer-form-box" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Start a consumer application</summary>
      <form onSubmit={submit} className="form consumer-form" aria-label="Start a consumer">
        <div className="row">
          <label>
            <span>Group id</span>
            <input value={groupId} onChange={(e) => setGroupId(e.target.value)} required />
          </label>
          <label>
            <span>Topics <span className="muted">(comma-separated)</span></span>
            <input value={topicText} onChange={(e) => setTopicText(e.target.value)} placeholder={topics[0] ?? 'demo'} list={listId} />
            <datalist id={listId}>{topics.map((t) => <option key={t} value={t} />)}</datalist>
          </label>
        </div>
        <div className="row">
          <label>
            <span>Assignor <code>partition.assignment.strategy</code></span>
            <select value={assignor} onChange={(e) => setAssignor(e.target.value)}>
              {ASSIGNOR_CHOICES.map((a) => <option key={a.value} value={a.value}>{a.label}</option>)}
            </select>
            <span className="field-note">KafkaJS default: RoundRobinAssigner · Java default: [range, cooperative-sticky]</span>
          </label>
          <label className="narrow">
            <span><code>session.timeout.ms</code></span>
            <input type="number" min={1000} step={1000} value={sessionTimeout} onChange={(e) => setSessionTimeout(e.target.value)} />
            <span className="field-note">KafkaJS default 30000 · Java 45000</span>
          </label>
        </div>
        <div className="row row-end">
          <label className="checkbox-line" title="auto.offset.reset=earliest when the group has no committed offset; KafkaJS's default is false (latest: only new records)">
            <input type="checkbox" checked={fromBeginning} onChange={(e) => setFromBeginning(e.target.checked)} />
            <span>fromBeginning <span className="muted">(auto.offset.reset=earliest; KafkaJS default: latest)</span></span>
          </label>
          <label className="narrow" title="How long the application's eachMessage takes per record: slow consumers build up lag">
            <span>Processing ms/record</span>
            <input type="number" min={0} step={50} value={delay} onChange={(e) => setDelay(e.target.value)} />
          </label>
          <button type="submit" disabled={busy || !running || topicList.length === 0 || groupId.trim() === ''}
            title="cluster.startConsumer: a consumer application in its own Web Worker">
            {busy ? 'Starting…' : 'Start consumer'}
          </button>
        </div>
        <ResultLine result={result} />
      </form>
    </details>
  );
}
