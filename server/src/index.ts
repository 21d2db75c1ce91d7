/**
 * @jaxlab/server: the control plane of JAX TPU Lab, assembled by
 * {@link createLabServer} (the `jaxlab-server` command is a thin shell
 * around it). Everything else is reached over HTTP; the OpenAPI document
 * is served at `GET /api/openapi.json`.
 *
 * @packageDocumentation
 */
export { createLabServer } from './create-lab-server.js';
export type { ILabServer, ILabServerDeps } from './lab-server-deps.js';
export { issueApiToken } from './auth/index.js';
export { SERVER_VERSION } from './version.js';

// @internal: for the review tests, which check what reaches the model.
export { REVIEW_SYSTEM_INSTRUCTION } from './review/index.js';
// @internal: for the chat tests, which check what reaches the model.
export { CHAT_SYSTEM_INSTRUCTION } from './chat/index.js';
