export { readFunctionSignatures } from './function-signatures.js';
export { createSignaturesRouter } from './signatures-router.js';
export { signaturesOpenApi } from './signatures-openapi.js';
