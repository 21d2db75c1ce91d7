export { CodeReviewer, AI_DISABLED_MESSAGE } from './code-reviewer.js';
export type {
  ICodeReviewerOptions,
  IReviewInput,
  ReviewStreamEvent
} from './code-reviewer.js';
export { runJaxLint } from './jax-lint.js';
export type { IJaxLintOptions } from './jax-lint.js';
export { createReviewRouter } from './review-router.js';
export type { IReviewRouterOptions } from './review-router.js';
export {
  REVIEW_SYSTEM_INSTRUCTION,
  buildReviewPrompt
} from './review-prompt.js';
export { lintMarkdown } from './review-markdown.js';
export { reviewOpenApi } from './review-openapi.js';
