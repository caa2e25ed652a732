import { useCallback, useState } from 'react';
import { describeError } from './format';

/** What a form's action says when it is done: a sentence, or Kafka's error name and message. */
export type Result = { ok: true; text: string } | { ok: false; type: string | null; message: string };

export function ResultLine({ result }: { result: Result | null }) {
  if (!result) return null;
  if (result.ok) return <p className="result ok" role="status">{result.text}</p>;
  return (
    <p className="result error" role="alert">
      {result.type && <code className="error-type">{result.type}</code>} {result.message}
    </p>
  );
}

/**
 * A form's action: busy while it runs (the button says so and is disabled), then its result,
 * or the error it threw under Kafka's error name (`onError` may say more).
 */
export function useAction(): {
  busy: boolean; result: Result | null; setResult: (result: Result | null) => void;
  run: (action: () => Promise<Result>, onError?: (error: unknown) => Result) => Promise<void>;
} {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Result | null>(null);
  const run = useCallback(async (action: () => Promise<Result>, onError?: (error: unknown) => Result) => {
    setBusy(true);
    setResult(null);
    try {
      setResult(await action());
    } catch (error) {
      setResult(onError ? onError(error) : { ok: false, ...describeError(error) });
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, result, setResult, run };
}
