import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  IThemeManager,
  MainAreaWidget
} from '@jupyterlab/apputils';
import type { WidgetTracker } from '@jupyterlab/apputils';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import type { Widget } from '@lumino/widgets';
import type { OutputsOpenRequest } from '../artifacts/artifacts-widget.js';
import type { ArtifactsWidget } from '../artifacts/artifacts-widget.js';
import { ChatWidget } from '../chat/chat-widget.js';
import type { JaxLabConnection } from '../connection/connection.js';
import type { ProjectPanel } from '../project/project-panel.js';
import { CommandIDs, IJaxLabConnection, IProjectTracker } from '../tokens.js';
import { TableViewerWidget } from '../viewer/table-viewer-widget.js';

/**
 * A run's outputs: the data viewer (`jaxlab:open-table`) and the chat
 * about a run or a comparison (`jaxlab:open-chat`), opened beside the
 * project from its "Outputs" tab.
 */
export const outputsPlugin: JupyterFrontEndPlugin<void> = {
  id: '@jaxlab/lab-extension:outputs',
  description:
    "Opens a run's tables in the data viewer and a chat about a run or a comparison.",
  autoStart: true,
  requires: [IJaxLabConnection, IProjectTracker],
  optional: [ITranslator, ICommandPalette, IThemeManager],
  activate: (
    app: JupyterFrontEnd,
    connection: JaxLabConnection,
    projects: WidgetTracker<ProjectPanel>,
    translator: ITranslator | null,
    _palette: ICommandPalette | null,
    themes: IThemeManager | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jaxlab');
    const open = (widget: Widget): void => {
      const existing = [...app.shell.widgets('main')].find(
        w => w.id === widget.id
      );
      if (existing) {
        widget.dispose();
        app.shell.activateById(existing.id);
        return;
      }
      const main = new MainAreaWidget({ content: widget });
      main.id = widget.id;
      main.title.label = widget.title.label;
      main.title.caption = widget.title.caption;
      main.title.closable = true;
      app.shell.add(main, 'main', { mode: 'split-right' });
      app.shell.activateById(main.id);
    };
    // The grid paints on a canvas from colours read once: read them again
    // when the theme changes (its CSS is loaded by then).
    const viewers = new Set<TableViewerWidget>();
    themes?.themeChanged.connect(() =>
      viewers.forEach(viewer => viewer.applyTheme())
    );
    const openTable = (viewer: TableViewerWidget): void => {
      viewers.add(viewer);
      viewer.disposed.connect(() => viewers.delete(viewer));
      open(viewer);
    };
    app.commands.addCommand(CommandIDs.openTable, {
      label: trans.__('Open in Data Viewer'),
      execute: args =>
        openTable(
          new TableViewerWidget({
            client: connection.client,
            jobId: String(args.jobId),
            source: args.series
              ? { series: true }
              : { artifact: String(args.artifact) },
            trans
          })
        )
    });
    app.commands.addCommand(CommandIDs.openChat, {
      label: trans.__('Ask About This Run'),
      execute: args =>
        open(
          new ChatWidget({
            client: connection.client,
            jobId: String(args.jobId),
            compareWith: (args.compareWith as string[] | undefined) ?? [],
            trans
          })
        )
    });
    const onOpen = (_: ArtifactsWidget, request: OutputsOpenRequest): void => {
      const jobId = request.job.id;
      void (request.kind === 'table'
        ? app.commands.execute(CommandIDs.openTable, {
            jobId,
            artifact: request.artifact.name
          })
        : request.kind === 'series'
          ? app.commands.execute(CommandIDs.openTable, { jobId, series: true })
          : app.commands.execute(CommandIDs.openChat, { jobId }));
    };
    projects.widgetAdded.connect((_, panel) =>
      panel.outputs.openRequested.connect(onOpen)
    );
    projects.forEach(panel => panel.outputs.openRequested.connect(onOpen));
  }
};
