/**
 * @jaxlab/kernel-gateway: the Jupyter kernel REST + WebSocket API in front
 * of sandboxed restricted kernels, the ZeroMQ wire protocol, the sandbox
 * launcher and the job runner.
 *
 * @packageDocumentation
 */
export * from './wire/index.js';
export * from './kernels/index.js';
export * from './http/index.js';
export * from './sandbox/index.js';
export * from './jobs/index.js';
