import {
  ILayoutRestorer,
  type JupyterFrontEnd,
  type JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  MainAreaWidget,
  ToolbarButton,
  showErrorMessage,
  type WidgetTracker
} from '@jupyterlab/apputils';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import type { JaxLabConnection } from '../connection/connection.js';
import { jaxlabIcon } from '../icons/jaxlab-icon.js';
import { CompareWidget } from '../jobs/compare-widget.js';
import { JobsModel } from '../jobs/jobs-model.js';
import { JobsPanel } from '../jobs/jobs-panel.js';
import type { ProjectPanel } from '../project/project-panel.js';
import { ResultsModel } from '../results/results-model.js';
import { ResultsWidget } from '../results/results-widget.js';
import { CommandIDs, IJaxLabConnection, IProjectTracker } from '../tokens.js';
import { shortJobId } from '../jobs/job-label.js';

/**
 * Runs: the left-sidebar list of the current project's runs, opening a past
 * run, comparing two, and exporting one as a notebook.
 */
export const jobsPlugin: JupyterFrontEndPlugin<void> = {
  id: '@jaxlab/lab-extension:jobs',
  description:
    'Lists a JAX TPU Lab project’s runs; opens, compares and exports them as notebooks.',
  autoStart: true,
  requires: [IJaxLabConnection, IProjectTracker],
  optional: [ITranslator, ILayoutRestorer, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    connection: JaxLabConnection,
    projects: WidgetTracker<ProjectPanel>,
    translator: ITranslator | null,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jaxlab');
    const model = new JobsModel(() => connection.client);
    const panel = new JobsPanel(model, app.commands, trans);
    panel.title.icon = jaxlabIcon;
    app.shell.add(panel, 'left', { rank: 650 });
    restorer?.add(panel, panel.id);

    const follow = (): void => {
      const project = projects.currentWidget;
      if (project) {
        model.projectId = project.projectModel.project.id;
      }
    };
    projects.currentChanged.connect(follow);
    projects.widgetAdded.connect((_, project) => {
      project.jobStarted.connect(() => {
        model.projectId = project.projectModel.project.id;
        void model.refresh();
      });
      project.results.stateChanged.connect(() => {
        if (project.results.isFinal) {
          void model.refresh();
        }
      });
    });
    follow();

    app.commands.addCommand(CommandIDs.showJobs, {
      label: trans.__('Show JAX TPU Lab Runs'),
      execute: () => app.shell.activateById(panel.id)
    });

    app.commands.addCommand(CommandIDs.openJob, {
      label: trans.__('Open Run'),
      execute: async args => {
        const jobId = String(args.jobId ?? '');
        const id = `jp-jaxlab-job-${jobId}`;
        const existing = Array.from(app.shell.widgets('main')).find(
          w => w.id === id
        );
        if (existing) {
          app.shell.activateById(id);
          return;
        }
        try {
          const job = await connection.client.getJob(jobId);
          const results = new ResultsModel({ client: connection.client });
          const content = new ResultsWidget(results, trans);
          const widget = new MainAreaWidget({ content });
          widget.id = id;
          widget.title.label = trans.__('Run %1', shortJobId(jobId));
          widget.title.icon = jaxlabIcon;
          widget.title.closable = true;
          widget.disposed.connect(() => results.dispose());
          results.bind(job);
          app.shell.add(widget, 'main', { mode: 'split-right' });
          app.shell.activateById(id);
        } catch (error) {
          await showErrorMessage(
            trans.__('Cannot open the run'),
            (error as Error).message
          );
        }
      }
    });

    app.commands.addCommand(CommandIDs.compareJobs, {
      label: trans.__('Compare Two Runs'),
      isEnabled: () => model.selected.length === 2,
      execute: async args => {
        const ids = [args.a, args.b].filter(Boolean).map(String);
        const [idA, idB] = ids.length === 2 ? ids : model.selected;
        try {
          const jobs = await Promise.all([
            connection.client.getJob(idA),
            connection.client.getJob(idB)
          ]);
          jobs.sort(
            (x, y) => Date.parse(x.createdAt) - Date.parse(y.createdAt)
          );
          const content = new CompareWidget(jobs[0], jobs[1], trans);
          const widget = new MainAreaWidget({ content });
          widget.id = content.id;
          widget.title.label = content.title.label;
          widget.title.icon = jaxlabIcon;
          widget.title.closable = true;
          widget.toolbar.addItem(
            'ask',
            new ToolbarButton({
              label: trans.__('Ask about this comparison'),
              onClick: () =>
                void app.commands.execute(CommandIDs.openChat, {
                  jobId: jobs[0].id,
                  compareWith: [jobs[1].id]
                })
            })
          );
          app.shell.add(widget, 'main');
          app.shell.activateById(widget.id);
        } catch (error) {
          await showErrorMessage(
            trans.__('Cannot compare the runs'),
            (error as Error).message
          );
        }
      }
    });

    app.commands.addCommand(CommandIDs.exportNotebook, {
      label: trans.__('Export Run as Notebook'),
      execute: async args => {
        const jobId = String(args.jobId ?? '');
        try {
          const content = await connection.client.getNotebook(jobId);
          const path = `jaxlab-run-${shortJobId(jobId)}.ipynb`;
          await app.serviceManager.contents.save(path, {
            type: 'notebook',
            format: 'json',
            content
          });
          return await app.commands.execute('docmanager:open', { path });
        } catch (error) {
          await showErrorMessage(
            trans.__('Cannot export the run'),
            (error as Error).message
          );
          return null;
        }
      }
    });
    palette?.addItem({ command: CommandIDs.showJobs, category: 'JAX TPU Lab' });
    palette?.addItem({
      command: CommandIDs.compareJobs,
      category: 'JAX TPU Lab'
    });
  }
};
