import {
  ILayoutRestorer,
  type JupyterFrontEnd,
  type JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  MainAreaWidget,
  showErrorMessage,
  WidgetTracker
} from '@jupyterlab/apputils';
import { IEditorServices } from '@jupyterlab/codeeditor';
import { ILauncher } from '@jupyterlab/launcher';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import type { JaxLabConnection } from '../connection/connection.js';
import { jaxlabIcon } from '../icons/jaxlab-icon.js';
import { ProjectModel } from '../project/project-model.js';
import { ProjectPanel } from '../project/project-panel.js';
import { ProjectPicker } from '../project/project-picker.js';
import { CommandIDs, IJaxLabConnection, IProjectTracker } from '../tokens.js';

/**
 * Projects: the launcher item and palette command that open the project
 * picker, the project panel (editors, results, review), and the Run,
 * Review, Save and Cancel commands with their shortcuts.
 */
export const projectPlugin: JupyterFrontEndPlugin<WidgetTracker<ProjectPanel>> =
  {
    id: '@jaxlab/lab-extension:project',
    description:
      'Opens JAX TPU Lab projects: main.py, README.md and requirements.txt with Review and Run.',
    autoStart: true,
    provides: IProjectTracker,
    requires: [IJaxLabConnection, IEditorServices, IRenderMimeRegistry],
    optional: [ILauncher, ICommandPalette, ITranslator, ILayoutRestorer],
    activate: (
      app: JupyterFrontEnd,
      connection: JaxLabConnection,
      editorServices: IEditorServices,
      rendermime: IRenderMimeRegistry,
      launcher: ILauncher | null,
      palette: ICommandPalette | null,
      translator: ITranslator | null,
      restorer: ILayoutRestorer | null
    ): WidgetTracker<ProjectPanel> => {
      const trans = (translator ?? nullTranslator).load('jaxlab');
      const tracker = new WidgetTracker<ProjectPanel>({
        namespace: 'jaxlab-project'
      });
      const category = 'JAX TPU Lab';
      let picker: MainAreaWidget<ProjectPicker> | null = null;

      const current = (): ProjectPanel | null => tracker.currentWidget;
      const isEnabled = (): boolean => current() !== null;

      app.commands.addCommand(CommandIDs.openPicker, {
        label: trans.__('JAX TPU Lab'),
        caption: trans.__(
          'Open a JAX TPU Lab project or start one from a sample'
        ),
        icon: args => (args.isPalette ? undefined : jaxlabIcon),
        execute: () => {
          if (!picker || picker.isDisposed) {
            const content = new ProjectPicker(connection, trans);
            content.projectChosen.connect((_, project) => {
              void app.commands.execute(CommandIDs.openProject, {
                projectId: project.id
              });
            });
            const openPanel = (id: string): ProjectPanel | undefined =>
              tracker.find(panel => panel.projectModel.project.id === id);
            content.renamed.connect((_, { id, name }) => {
              const panel = openPanel(id);
              if (panel) panel.title.label = name;
            });
            content.deleted.connect((_, id) => openPanel(id)?.dispose());
            picker = new MainAreaWidget({ content });
            picker.id = 'jp-jaxlab-picker';
            picker.title.label = trans.__('JAX TPU Lab');
            picker.title.icon = jaxlabIcon;
            picker.title.closable = true;
            app.shell.add(picker, 'main');
          } else {
            void picker.content.refresh();
          }
          app.shell.activateById(picker.id);
          return picker;
        }
      });

      app.commands.addCommand(CommandIDs.openProject, {
        label: args =>
          args.projectId
            ? trans.__('Open Project %1', String(args.projectId))
            : trans.__('Open Project'),
        execute: async args => {
          const projectId = String(args.projectId ?? '');
          const open = tracker.find(
            panel => panel.projectModel.project.id === projectId
          );
          if (open) {
            app.shell.activateById(open.id);
            return open;
          }
          try {
            const project = await connection.client.getProject(projectId);
            const model = new ProjectModel(project, () => connection.client);
            const panel = new ProjectPanel({
              model,
              connection,
              editorServices,
              rendermime,
              trans
            });
            panel.title.icon = jaxlabIcon;
            await tracker.add(panel);
            app.shell.add(panel, 'main');
            app.shell.activateById(panel.id);
            return panel;
          } catch (error) {
            const e = error as Error & { hint?: string };
            await showErrorMessage(
              trans.__('Cannot open the project'),
              [e.message, e.hint].filter(Boolean).join('\n')
            );
            return null;
          }
        }
      });

      app.commands.addCommand(CommandIDs.run, {
        label: trans.__('Run'),
        caption: trans.__(
          'Run main.py of the current project on the chosen accelerator (one run at a time)'
        ),
        isEnabled: () => isEnabled() && !current()!.isRunning,
        execute: () => current()?.run()
      });
      app.commands.addCommand(CommandIDs.review, {
        label: trans.__('Review Code'),
        caption: trans.__('Lint main.py and ask the AI reviewer'),
        isEnabled,
        execute: () => current()?.review()
      });
      app.commands.addCommand(CommandIDs.save, {
        label: trans.__('Save Project to Server'),
        isEnabled,
        execute: () => current()?.save()
      });
      app.commands.addCommand(CommandIDs.cancel, {
        label: trans.__('Cancel Run'),
        isEnabled: () =>
          !!current() &&
          !current()!.results.isFinal &&
          !!current()!.results.job,
        execute: () => current()?.results.cancel()
      });

      launcher?.add({
        command: CommandIDs.openPicker,
        category: 'Other',
        rank: 0
      });
      for (const command of [
        CommandIDs.openPicker,
        CommandIDs.run,
        CommandIDs.review,
        CommandIDs.save,
        CommandIDs.cancel
      ]) {
        palette?.addItem({ command, category });
      }
      if (restorer) {
        void restorer.restore(tracker, {
          command: CommandIDs.openProject,
          args: panel => ({ projectId: panel.projectModel.project.id }),
          name: panel => panel.projectModel.project.id
        });
      }
      // Re-check hosts and the user when the settings point elsewhere.
      connection.changed.connect(() =>
        tracker.forEach(panel => void panel.refreshHosts())
      );
      return tracker;
    }
  };
