import { useState } from 'react';
import { useDerived } from './context';

/** The cluster's topics a person produces to or consumes from: internal ones (__consumer_offsets) left out, sorted. */
export function useTopicNames(): string[] {
  return useDerived((s) => [s.metadata], (s) => [...s.metadata.topics.keys()].filter((t) => !t.startsWith('__')).sort());
}

/** A form's topic: the one chosen while it exists, else the first. */
export function useTopicChoice(): { topics: string[]; topic: string; choose: (topic: string) => void } {
  const topics = useTopicNames();
  const [chosen, choose] = useState('');
  return { topics, topic: topics.includes(chosen) ? chosen : (topics[0] ?? ''), choose };
}

export function TopicSelect({ topics, topic, onChange }: { topics: string[]; topic: string; onChange: (topic: string) => void }) {
  return (
    <label>
      <span>Topic</span>
      <select value={topic} onChange={(e) => onChange(e.target.value)} required>
        {topics.length === 0 && <option value="">no topics yet</option>}
        {topics.map((t) => <option key={t} value={t}>{t}</option>)}
      </select>
    </label>
  );
}
