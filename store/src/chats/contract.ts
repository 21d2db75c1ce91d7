import type { ChatMessage } from '@jaxlab/schemas';

/**
 * Conversations about runs, per user: a conversation is named by what it is
 * about (a job id, or `compare:<ids>` for a comparison) and belongs to one
 * owner — two users asking about the same run each see only their own.
 */
export interface IChats {
  /** Appends `message` to the owner's conversation. */
  append(
    conversation: string,
    owner: string,
    message: ChatMessage
  ): Promise<void>;

  /** The owner's conversation, oldest first (at most the last `limit`, default 200). */
  list(
    conversation: string,
    owner: string,
    limit?: number
  ): Promise<ChatMessage[]>;
}
