export {
  NOTEBOOK_MAX_LOG_CHARS,
  exportNotebook,
  notebookFileName
} from './notebook-export.js';
export type { INotebook, NotebookCell } from './notebook-export.js';
export {
  StreamOutputs,
  failureOutput,
  metricsOutput
} from './notebook-outputs.js';
export type { NotebookOutput } from './notebook-outputs.js';
export { pythonCall, pythonLiteral } from './python-literal.js';
