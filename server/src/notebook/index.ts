export {
  NOTEBOOK_MAX_LOG_CHARS,
  exportNotebook,
  notebookFileName
} from './notebook-export.js';
export {
  StreamOutputs,
  failureOutput,
  metricsOutput
} from './notebook-outputs.js';
export { notebookArtifacts } from './artifact-outputs.js';
export type { INotebookArtifacts } from './artifact-outputs.js';
