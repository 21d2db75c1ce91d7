export { checkProgram, makeRunnable } from './harness-commands.js';
export { runPythonCommand } from './python-command.js';
export type { IPythonCommandOptions } from './python-command.js';
export { createMakeRunnableRouter } from './make-runnable-router.js';
export { makeRunnableOpenApi } from './make-runnable-openapi.js';
