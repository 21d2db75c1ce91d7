import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { connectionPlugin } from './plugins/connection-plugin.js';
import { jobsPlugin } from './plugins/jobs-plugin.js';
import { notebookPlugin } from './plugins/notebook-plugin.js';
import { outputsPlugin } from './plugins/outputs-plugin.js';
import { projectPlugin } from './plugins/project-plugin.js';
import { topbarPlugin } from './plugins/topbar-plugin.js';

export { ApiClient } from './api/api-client.js';
export { SseParser } from './api/sse-parser.js';
export type { IServerSentEvent } from './api/sse-parser.js';
export { JaxLabConnection } from './connection/connection.js';
export type { IJaxLabSettings } from './connection/connection.js';
export { CommandIDs, IJaxLabConnection, IProjectTracker } from './tokens.js';

/** The extension's plugins, in JupyterLab's plugin-array export form. */
const plugins: JupyterFrontEndPlugin<unknown>[] = [
  connectionPlugin,
  topbarPlugin,
  projectPlugin,
  jobsPlugin,
  outputsPlugin,
  notebookPlugin
];

export default plugins;
