export { MAX_LOG_MESSAGE_CHARS, createLogSink } from './gateway-log.js';
export type { ILogFields, ILogSinkOptions, LogSink } from './gateway-log.js';
