/**
 * The client's errors, named as KafkaJS's. Errors a broker returns are KafkaProtocolError
 * (exported as KafkaJSProtocolError): `type` is Kafka's error name, `retriable` whether the
 * client may try again. Errors the client itself raises are KafkaJSError and subclasses.
 */
import { KafkaProtocolError, type ErrorName } from '../protocol/errors';

export { KafkaProtocolError, KafkaProtocolError as KafkaJSProtocolError };

export class KafkaJSError extends Error {
  readonly retriable: boolean;
  constructor(message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KafkaJSError';
    this.retriable = options.retriable ?? true;
  }
}

export class KafkaJSNonRetriableError extends KafkaJSError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, retriable: false });
    this.name = 'KafkaJSNonRetriableError';
  }
}

export class KafkaJSTimeout extends KafkaJSError {
  constructor(message: string) {
    super(message, { retriable: false });
    this.name = 'KafkaJSTimeout';
  }
}

/** Errors on which a request is worth retrying even though nothing says "retriable" on them. */
const ALWAYS_RETRIABLE = new Set<string>(['REQUEST_TIMED_OUT', 'NETWORK_EXCEPTION']);

/** Whether an operation that failed with `error` may be retried. */
export function isRetriableError(error: unknown): boolean {
  if (error instanceof KafkaProtocolError) return error.retriable || ALWAYS_RETRIABLE.has(error.type);
  if (error instanceof KafkaJSError) return error.retriable;
  return false;
}

/** The Kafka error name of an error, if it carries one. */
export function kafkaErrorType(error: unknown): ErrorName | undefined {
  return error instanceof KafkaProtocolError ? error.type : undefined;
}

/** A Kafka protocol error about one topic-partition, as KafkaJS adds topic and partition to its errors. */
export function partitionError(type: ErrorName, topic: string, partition: number, detail?: string | null): KafkaProtocolError {
  const error = new KafkaProtocolError(type, `${detail ? `${detail} ` : ''}(topic ${topic}, partition ${partition})`);
  Object.assign(error, { topic, partition });
  return error;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
