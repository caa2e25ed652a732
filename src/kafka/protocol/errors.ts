/** Kafka's protocol error codes, by their names and numbers (org.apache.kafka.common.protocol.Errors). */
const ERRORS = {
  UNKNOWN_SERVER_ERROR: [-1, false],
  NONE: [0, false],
  OFFSET_OUT_OF_RANGE: [1, false],
  CORRUPT_MESSAGE: [2, true],
  UNKNOWN_TOPIC_OR_PARTITION: [3, true],
  INVALID_FETCH_SIZE: [4, false],
  LEADER_NOT_AVAILABLE: [5, true],
  NOT_LEADER_OR_FOLLOWER: [6, true],
  REQUEST_TIMED_OUT: [7, true],
  BROKER_NOT_AVAILABLE: [8, false],
  REPLICA_NOT_AVAILABLE: [9, true],
  MESSAGE_TOO_LARGE: [10, false],
  NETWORK_EXCEPTION: [13, true],
  COORDINATOR_LOAD_IN_PROGRESS: [14, true],
  COORDINATOR_NOT_AVAILABLE: [15, true],
  NOT_COORDINATOR: [16, true],
  INVALID_TOPIC_EXCEPTION: [17, false],
  RECORD_LIST_TOO_LARGE: [18, false],
  NOT_ENOUGH_REPLICAS: [19, true],
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: [20, true],
  INVALID_REQUIRED_ACKS: [21, false],
  ILLEGAL_GENERATION: [22, false],
  INCONSISTENT_GROUP_PROTOCOL: [23, false],
  INVALID_GROUP_ID: [24, false],
  UNKNOWN_MEMBER_ID: [25, false],
  INVALID_SESSION_TIMEOUT: [26, false],
  REBALANCE_IN_PROGRESS: [27, false],
  INVALID_COMMIT_OFFSET_SIZE: [28, false],
  INVALID_TIMESTAMP: [32, false],
  UNSUPPORTED_VERSION: [35, false],
  TOPIC_ALREADY_EXISTS: [36, false],
  INVALID_PARTITIONS: [37, false],
  INVALID_REPLICATION_FACTOR: [38, false],
  INVALID_REPLICA_ASSIGNMENT: [39, false],
  INVALID_CONFIG: [40, false],
  NOT_CONTROLLER: [41, true],
  INVALID_REQUEST: [42, false],
  POLICY_VIOLATION: [44, false],
  OUT_OF_ORDER_SEQUENCE_NUMBER: [45, false],
  DUPLICATE_SEQUENCE_NUMBER: [46, false],
  INVALID_PRODUCER_EPOCH: [47, false],
  INVALID_PRODUCER_ID_MAPPING: [49, false],
  OPERATION_NOT_ATTEMPTED: [55, false],
  KAFKA_STORAGE_ERROR: [56, true],
  UNKNOWN_PRODUCER_ID: [59, false],
  NON_EMPTY_GROUP: [68, false],
  GROUP_ID_NOT_FOUND: [69, false],
  FENCED_LEADER_EPOCH: [74, true],
  UNKNOWN_LEADER_EPOCH: [75, true],
  UNSUPPORTED_COMPRESSION_TYPE: [76, false],
  STALE_BROKER_EPOCH: [77, false],
  OFFSET_NOT_AVAILABLE: [78, true],
  MEMBER_ID_REQUIRED: [79, false],
  PREFERRED_LEADER_NOT_AVAILABLE: [80, true],
  ELIGIBLE_LEADERS_NOT_AVAILABLE: [83, true],
  ELECTION_NOT_NEEDED: [84, false],
  INVALID_RECORD: [87, false],
  UNSTABLE_OFFSET_COMMIT: [88, true],
  INVALID_UPDATE_VERSION: [95, false],
  SNAPSHOT_NOT_FOUND: [98, false],
  INCONSISTENT_TOPIC_ID: [103, true],
  DUPLICATE_BROKER_REGISTRATION: [101, true],
  INCONSISTENT_CLUSTER_ID: [104, false],
  INELIGIBLE_REPLICA: [107, false],
  NEW_LEADER_ELECTED: [108, true],
} as const satisfies Record<string, readonly [number, boolean]>;

export type ErrorName = keyof typeof ERRORS;

export const errorCode = (name: ErrorName): number => ERRORS[name][0];
export const isRetriable = (name: ErrorName): boolean => ERRORS[name][1];

const BY_CODE = new Map<number, ErrorName>(
  (Object.keys(ERRORS) as ErrorName[]).map((name) => [ERRORS[name][0], name]),
);
export const errorName = (code: number): ErrorName => BY_CODE.get(code) ?? 'UNKNOWN_SERVER_ERROR';

/**
 * An error with Kafka's name, as KafkaJS's KafkaJSProtocolError: `type` is the Kafka name,
 * `code` its number, `retriable` whether a client may try again.
 */
export class KafkaProtocolError extends Error {
  readonly type: ErrorName;
  readonly code: number;
  readonly retriable: boolean;
  constructor(type: ErrorName, message?: string) {
    super(message ? `${type}: ${message}` : type);
    this.name = 'KafkaJSProtocolError';
    this.type = type;
    this.code = errorCode(type);
    this.retriable = isRetriable(type);
  }
}

/** Any thrown value as a Kafka error name and message; what is not a Kafka error is UNKNOWN_SERVER_ERROR. */
export function asKafkaError(error: unknown): { type: ErrorName; message: string } {
  if (error instanceof KafkaProtocolError) return { type: error.type, message: error.message };
  return { type: 'UNKNOWN_SERVER_ERROR', message: String((error as Error)?.message ?? error) };
}
