export { KernelManager } from './kernel-manager.js';
export { CONNECTION_FILE_NAME } from './kernel-folders.js';
export { KernelSession } from './kernel-session.js';
export type { IKernelClient, IKernelModel } from './kernel-client.js';
export { KernelEventSignal } from './kernel-events.js';
export type { KernelEvent, KernelEventType } from './kernel-events.js';
export {
  KERNEL_FILE_NAMES,
  MAX_KERNEL_FILE_BYTES,
  checkKernelFilePath,
  clearPlantedFiles,
  removeKernelFiles,
  writeKernelFiles
} from './kernel-files.js';
export { PinnedFolder } from './pinned-folder.js';
export { loadKernelSpec } from './kernel-spec.js';
export type { IKernelSpecModel } from './kernel-spec.js';
export {
  OUTPUT_LIMITS,
  checkIOPubMessage,
  neutralizeTerminalEscapes,
  quoteForLog,
  sanitizeIOPubMessage,
  sanitizeKernelMessage,
  sanitizeText
} from './output-sanitizer.js';
export type { ISanitizedIOPub } from './output-sanitizer.js';
export {
  MAX_MERGED_STREAM_BYTES,
  OutputQueue,
  canCoalesce,
  messageSize
} from './output-queue.js';
export type { IQueuedOutput } from './output-queue.js';
export { ReplayBuffer } from './replay-buffer.js';
