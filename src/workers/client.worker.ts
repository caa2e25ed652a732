import { exposeClient } from '../runtime/clientRuntime';

// One client application (a consumer) per worker: terminating the worker is a crash, as kill -9.
exposeClient();
