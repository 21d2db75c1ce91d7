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
import { PageConfig, URLExt } from '@jupyterlab/coreutils';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import type { Widget } from '@lumino/widgets';
import type { JaxLabConnection } from '../connection/connection.js';
import { jaxlabIcon } from '../icons/jaxlab-icon.js';
import { CompareWidget } from '../jobs/compare-widget.js';
import { LeaderboardWidget } from '../experiments/leaderboard-widget.js';
import { SweepForm } from '../experiments/sweep-form.js';
import { SweepWidget } from '../experiments/sweep-widget.js';
import { shortJobId } from '../jobs/job-label.js';
import { JobsModel, MAX_PICKED } from '../jobs/jobs-model.js';
import { JobsPanel } from '../jobs/jobs-panel.js';
import type { ProjectPanel } from '../project/project-panel.js';
import { ResultsModel } from '../results/results-model.js';
import { ResultsWidget } from '../results/results-widget.js';
import { CommandIDs, IJaxLabConnection, IProjectTracker } from '../tokens.js';

/** The query parameter of a shareable comparison link. */
const COMPARE_PARAM = 'jaxlab-compare';

/**
 * Runs: the left-sidebar list (the current project's runs or all
 * projects', filtered), opening a past run as a tab beside the other open
 * runs, comparing up to 16 runs (also from a shared lab link
 * `…/lab?jaxlab-compare=a,b,c`), and exporting one as a notebook.
 */
export const jobsPlugin: JupyterFrontEndPlugin<void> = {
  id: '@jaxlab/lab-extension:jobs',
  description:
    'Lists JAX TPU Lab runs; opens, compares and exports them as notebooks.',
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
        const p = project.projectModel.project;
        model.setProject(p.id, p.name);
      }
    };
    projects.currentChanged.connect(follow);
    projects.widgetAdded.connect((_, project) => {
      project.jobStarted.connect(() => {
        follow();
        void model.refresh();
      });
      project.results.stateChanged.connect(() => {
        if (project.results.isFinal) {
          void model.refresh();
        }
      });
    });
    follow();

    /** Run tabs go beside the first open one: the main area splits once. */
    const addRunTab = (widget: Widget): void => {
      const other = Array.from(app.shell.widgets('main')).find(
        w =>
          w !== widget &&
          (w.id.startsWith('jp-jaxlab-job-') ||
            w.id.startsWith('jp-jaxlab-compare-'))
      );
      app.shell.add(
        widget,
        'main',
        other ? { ref: other.id, mode: 'tab-after' } : { mode: 'split-right' }
      );
      app.shell.activateById(widget.id);
    };

    app.commands.addCommand(CommandIDs.showJobs, {
      label: trans.__('Show JAX TPU Lab Runs'),
      execute: () => app.shell.activateById(panel.id)
    });

    app.commands.addCommand(CommandIDs.openJob, {
      label: trans.__('Open Run'),
      execute: async args => {
        const jobId = String(args.jobId ?? '');
        const id = `jp-jaxlab-job-${jobId}`;
        if (Array.from(app.shell.widgets('main')).some(w => w.id === id)) {
          app.shell.activateById(id);
          return;
        }
        try {
          const job = await connection.client.getJob(jobId);
          const results = new ResultsModel({ client: connection.client });
          const content = new ResultsWidget(results, trans, {
            client: () => connection.client
          });
          const widget = new MainAreaWidget({ content });
          widget.id = id;
          widget.title.label =
            job.name || trans.__('Run %1', shortJobId(jobId));
          widget.title.icon = jaxlabIcon;
          widget.title.closable = true;
          widget.disposed.connect(() => results.dispose());
          results.bind(job);
          addRunTab(widget);
        } catch (error) {
          await showErrorMessage(
            trans.__('Cannot open the run'),
            (error as Error).message
          );
        }
      }
    });

    app.commands.addCommand(CommandIDs.compareJobs, {
      label: trans.__('Compare Runs'),
      caption: trans.__('Compare the runs ticked in the runs list (2 to 16)'),
      isEnabled: args => Array.isArray(args.jobs) || model.selected.length >= 2,
      execute: async args => {
        const ids = (
          Array.isArray(args.jobs)
            ? args.jobs.map(String)
            : String(args.jobs ?? '')
                .split(',')
                .filter(Boolean)
        ).slice(0, MAX_PICKED);
        const picked = ids.length ? ids : [...model.selected];
        try {
          const client = connection.client;
          const [comparison, jobs, series] = await Promise.all([
            client.compareRuns(picked),
            Promise.all(picked.map(id => client.getJob(id))),
            Promise.all(
              picked.map(id => client.getSeries(id, { buckets: 1000 }))
            )
          ]);
          const shareUrl = `${URLExt.join(PageConfig.getBaseUrl(), 'lab')}?${COMPARE_PARAM}=${picked.join(',')}`;
          const content = new CompareWidget(
            { comparison, jobs, series, shareUrl },
            trans
          );
          const existing = Array.from(app.shell.widgets('main')).find(
            w => w.id === content.id
          );
          if (existing) {
            content.dispose();
            app.shell.activateById(existing.id);
            return;
          }
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
                  // The chat takes the first run and up to 7 others.
                  compareWith: jobs.slice(1, 8).map(job => job.id)
                })
            })
          );
          addRunTab(widget);
        } catch (error) {
          await showErrorMessage(
            trans.__('Cannot compare the runs'),
            (error as Error).message
          );
        }
      }
    });

    // A shared comparison link opens the comparison once the lab has
    // restored its layout; the parameter then leaves the address bar.
    void app.restored.then(() => {
      const url = new URL(window.location.href);
      const jobs = url.searchParams.get(COMPARE_PARAM);
      if (!jobs) return;
      url.searchParams.delete(COMPARE_PARAM);
      window.history.replaceState(window.history.state, '', url.toString());
      void app.commands.execute(CommandIDs.compareJobs, { jobs });
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
    app.commands.addCommand(CommandIDs.openLeaderboard, {
      label: trans.__('Open the Leaderboard of the Project'),
      execute: args => {
        const projectId = String(args.projectId || model.projectId || '');
        if (!projectId) return;
        const id = `jp-jaxlab-leaderboard-${projectId}`;
        if (Array.from(app.shell.widgets('main')).some(w => w.id === id)) {
          app.shell.activateById(id);
          return;
        }
        const content = new LeaderboardWidget({
          client: () => connection.client,
          projectId,
          projectName: model.projectName || projectId,
          commands: app.commands,
          trans
        });
        const widget = new MainAreaWidget({ content });
        widget.id = id;
        widget.title.label = content.title.label;
        widget.title.icon = jaxlabIcon;
        widget.title.closable = true;
        addRunTab(widget);
      }
    });

    app.commands.addCommand(CommandIDs.openSweep, {
      label: trans.__('Open the Latest Sweep of the Project'),
      execute: async args => {
        let sweepId = String(args.sweepId ?? '');
        if (!sweepId) {
          const sweeps = await connection.client.listSweeps(
            model.projectId ?? undefined
          );
          if (!sweeps.length) {
            await showErrorMessage(
              trans.__('No sweep'),
              trans.__(
                'This project has no sweep yet: start one with Sweep… in the runs list.'
              )
            );
            return;
          }
          sweepId = sweeps[0].id;
        }
        const id = `jp-jaxlab-sweep-${sweepId}`;
        if (Array.from(app.shell.widgets('main')).some(w => w.id === id)) {
          app.shell.activateById(id);
          return;
        }
        const content = new SweepWidget({
          client: () => connection.client,
          sweepId,
          commands: app.commands,
          trans
        });
        const widget = new MainAreaWidget({ content });
        widget.id = id;
        widget.title.icon = jaxlabIcon;
        widget.title.closable = true;
        widget.title.label = trans.__('Sweep');
        content.title.changed.connect(() => {
          widget.title.label = content.title.label;
        });
        addRunTab(widget);
      }
    });

    app.commands.addCommand(CommandIDs.newSweep, {
      label: trans.__('Start a Sweep of the Project…'),
      execute: async args => {
        const projectId = String(args.projectId || model.projectId || '');
        const panel = projects.find(
          p => p.projectModel.project.id === projectId
        );
        if (!panel) {
          await showErrorMessage(
            trans.__('No project open'),
            trans.__(
              'Open the project to sweep: its run settings say which function runs and with what.'
            )
          );
          return;
        }
        const id = `jp-jaxlab-sweep-form-${projectId}`;
        const open = Array.from(app.shell.widgets('main')).find(
          w => w.id === id
        );
        if (open) {
          app.shell.activateById(id);
          return;
        }
        const { project, mainPy, requirements } = panel.projectModel;
        const content = new SweepForm({
          client: () => connection.client,
          projectId,
          projectName: project.name,
          designated: project.designatedFunctions ?? ['main'],
          entrypoint: panel.entrypoint,
          source: () => ({
            code: mainPy.sharedModel.getSource(),
            requirements: requirements.sharedModel.getSource(),
            accelerator: panel.picker.value
          }),
          trans,
          storage: window.localStorage
        });
        const widget = new MainAreaWidget({ content });
        widget.id = id;
        widget.title.label = content.title.label;
        widget.title.icon = jaxlabIcon;
        widget.title.closable = true;
        content.started.connect((_, sweep) => {
          void app.commands
            .execute(CommandIDs.openSweep, { sweepId: sweep.id })
            .then(() => widget.dispose());
          void model.refresh();
        });
        addRunTab(widget);
      }
    });

    palette?.addItem({ command: CommandIDs.showJobs, category: 'JAX TPU Lab' });
    palette?.addItem({ command: CommandIDs.newSweep, category: 'JAX TPU Lab' });
    palette?.addItem({
      command: CommandIDs.openLeaderboard,
      category: 'JAX TPU Lab'
    });
    palette?.addItem({
      command: CommandIDs.openSweep,
      category: 'JAX TPU Lab'
    });
    palette?.addItem({
      command: CommandIDs.compareJobs,
      category: 'JAX TPU Lab'
    });
  }
};
