import { exposeClient } from '../runtime/clientRuntime';

// One client application (a consumer or a producer) per worker: terminating the worker is a crash, as kill -9.
exposeClient();
