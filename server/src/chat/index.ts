export {
  RunChat,
  CHAT_DISABLED_MESSAGE,
  CHAT_SYSTEM_INSTRUCTION
} from './run-chat.js';
export type { ChatStreamEvent, IRunChatOptions } from './run-chat.js';
export { createChatRouter } from './chat-router.js';
export { chatOpenApi } from './chat-openapi.js';
