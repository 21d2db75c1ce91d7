export { checkProgram, makeRunnable } from './harness-commands.js';
export type { ILoaderViolation, IRunnableResult } from './harness-commands.js';
export { runPythonCommand } from './python-command.js';
export type { IPythonCommandOptions } from './python-command.js';
