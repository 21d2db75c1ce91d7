import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import type { WidgetTracker } from '@jupyterlab/apputils';
import type { Toolbar } from '@jupyterlab/ui-components';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import type { JaxLabConnection } from '../connection/connection.js';
import { KernelFileSync } from '../notebook/kernel-file-sync.js';
import { NotebookBinding } from '../notebook/notebook-binding.js';
import { ProjectBindingButton } from '../notebook/project-binding-button.js';
import type { ProjectPanel } from '../project/project-panel.js';
import { IJaxLabConnection, IProjectTracker } from '../tokens.js';

/** A document widget extension, typed by the application's own registry. */
type WidgetExtension = Parameters<
  JupyterFrontEnd['docRegistry']['addWidgetExtension']
>[1];

/**
 * Notebooks bound to projects: a toolbar item on every notebook shows its
 * project (or offers to bind one), the project's files are put into the
 * kernel's folder when its kernel starts or restarts, and a save in the
 * project editor reaches every bound notebook's kernel before its next
 * call.
 */
export const notebookPlugin: JupyterFrontEndPlugin<void> = {
  id: '@jaxlab/lab-extension:notebook-project',
  description:
    "Binds notebooks to JAX TPU Lab projects and keeps the project's files in their kernels' folders.",
  autoStart: true,
  requires: [IJaxLabConnection],
  optional: [IProjectTracker, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    connection: JaxLabConnection,
    projects: WidgetTracker<ProjectPanel> | null,
    translator: ITranslator | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jaxlab');
    const sync = new KernelFileSync();
    const bindings = new Set<NotebookBinding>();
    const client = () => connection.client;

    const extension: WidgetExtension = {
      createNew: (panel, context) => {
        const binding = new NotebookBinding({
          context,
          client,
          serverSettings: app.serviceManager.serverSettings,
          sync
        });
        bindings.add(binding);
        const button = new ProjectBindingButton(binding, client, trans);
        // A notebook panel is a document widget: it has a toolbar. Last, so
        // that in a narrow notebook (beside a run) the toolbar moves this
        // item, not the kernel's name and status, into its "…" menu.
        (panel as unknown as { toolbar: Toolbar }).toolbar.addItem(
          'jaxlabProject',
          button
        );
        panel.disposed.connect(() => {
          bindings.delete(binding);
          binding.dispose();
          button.dispose();
        });
        return button;
      }
    };
    app.docRegistry.addWidgetExtension('Notebook', extension);

    // A save in the project editor reaches the bound notebooks' kernels.
    const follow = (panel: ProjectPanel): void => {
      panel.projectModel.saved.connect((_, project) => {
        for (const binding of bindings) {
          if (binding.projectId === project.id) void binding.syncNow(project);
        }
      });
    };
    projects?.forEach(follow);
    projects?.widgetAdded.connect((_, panel) => follow(panel));
  }
};
