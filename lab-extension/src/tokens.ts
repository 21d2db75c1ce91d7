import type { WidgetTracker } from '@jupyterlab/apputils';
import { Token } from '@lumino/coreutils';
import type { JaxLabConnection } from './connection/connection.js';
import type { ProjectPanel } from './project/project-panel.js';

/** Command ids of the extension. */
export namespace CommandIDs {
  /** Open the project picker. */
  export const openPicker = 'jaxlab:open-picker';
  /** Open a project by id (`{projectId}`). */
  export const openProject = 'jaxlab:open-project';
  /** Run the current project's main.py on the chosen accelerator. */
  export const run = 'jaxlab:run';
  /** Review the current project's main.py. */
  export const review = 'jaxlab:review';
  /** Save main.py and requirements.txt to the server now. */
  export const save = 'jaxlab:save';
  /** Cancel the current project's active job. */
  export const cancel = 'jaxlab:cancel';
  /** Show the runs of the current project. */
  export const showJobs = 'jaxlab:show-jobs';
  /** Open a past run (`{jobId}`). */
  export const openJob = 'jaxlab:open-job';
  /** Compare runs (`{jobs}`: ids, a list or comma separated; default: the ticked ones). */
  export const compareJobs = 'jaxlab:compare-jobs';
  /** Export a run as a notebook and open it (`{jobId}`). */
  export const exportNotebook = 'jaxlab:export-notebook';
  /** Open a project's leaderboard (`{projectId}`; default: the current one). */
  export const openLeaderboard = 'jaxlab:open-leaderboard';
  /** Open a sweep's view (`{sweepId}`). */
  export const openSweep = 'jaxlab:open-sweep';
  /** Open the form that starts a sweep of a project (`{projectId}`; default: the current one). */
  export const newSweep = 'jaxlab:new-sweep';
  /** Open the server's sign-in page. */
  export const signIn = 'jaxlab:sign-in';
  /** Open a run's table artifact in the data viewer (`{jobId, artifact}`). */
  export const openTable = 'jaxlab:open-table';
  /** Chat about a run, or a comparison (`{jobId, compareWith?}`). */
  export const openChat = 'jaxlab:open-chat';
}

/** The connection to the JAX TPU Lab server, configured from settings. */
export const IJaxLabConnection = new Token<JaxLabConnection>(
  '@jaxlab/lab-extension:IJaxLabConnection',
  'The JAX TPU Lab server connection: API client, settings and signed-in user.'
);

/** Tracker of open project panels; `currentWidget` is the active project. */
export const IProjectTracker = new Token<WidgetTracker<ProjectPanel>>(
  '@jaxlab/lab-extension:IProjectTracker',
  'Tracks the open JAX TPU Lab project panels.'
);
