import type { Job } from '@jaxlab/schemas/contract';
import { MainAreaWidget, showErrorMessage } from '@jupyterlab/apputils';
import type {
  CodeEditorWrapper,
  IEditorServices
} from '@jupyterlab/codeeditor';
import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { TranslationBundle } from '@jupyterlab/translation';
import { ToolbarButton } from '@jupyterlab/ui-components';
import { Signal, type ISignal } from '@lumino/signaling';
import type { SplitPanel } from '@lumino/widgets';
import { Panel, TabPanel, Widget } from '@lumino/widgets';
import { ArgumentForm } from '../arguments/argument-form.js';
import { ProportionalSplitPanel } from '../ui/proportional-split-panel.js';
import { ArgumentModel } from '../arguments/argument-model.js';
import type { JaxLabConnection } from '../connection/connection.js';
import { ResultsModel } from '../results/results-model.js';
import { ResultsWidget } from '../results/results-widget.js';
import { ArtifactsWidget } from '../artifacts/artifacts-widget.js';
import { ReviewWidget } from '../review/review-widget.js';
import type { IReviewWidget } from '../review/review-widget.js';
import { AcceleratorPicker, NO_HOSTS } from './accelerator-picker.js';
import { reviewRunnableProposal } from './runnable-dialog.js';
import { ProjectFiles } from './project-files.js';
import type { ProjectModel, SaveState } from './project-model.js';
import { RunButton } from './run-button.js';
import { errorText } from '../ui/error-text.js';

/**
 * A project in the main area: its files above (the file list beside tabs of
 * main.py, README.md (rendered, read-only), requirements.txt and the other
 * files opened) with the run settings (function, arguments, accelerator,
 * devices, Profile) beside them, the results and the review below, and a
 * toolbar with “Review Code”, “Make it runnable” and “Run on
 * <accelerator>”. On opening it shows the project's last run.
 *
 * Over ~400 lines: one widget wiring a project's files, run settings, result
 * tabs and toolbar. Moving the run settings and tabs into widgets of their
 * own left the toolbar's buttons in its overflow menu after the panel had
 * been narrow (lab.e2e, 3 of 9 runs; not yet understood), so it stays whole.
 */
export class ProjectPanel extends MainAreaWidget<SplitPanel> {
  /** Make a panel for `model`. */
  constructor(options: ProjectPanel.IOptions) {
    const content = new ProportionalSplitPanel({
      orientation: 'vertical',
      spacing: 4,
      proportions: [2, 3]
    });
    super({ content });
    const { model, connection, editorServices, rendermime, trans } = options;
    this._projectModel = model;
    this._connection = connection;
    this._trans = trans;
    this.addClass('jp-jaxlab-ProjectPanel');
    this.id = `jp-jaxlab-project-${model.project.id}`;
    this.title.label = model.project.name;
    this.title.caption = trans.__(
      'JAX TPU Lab project: %1',
      model.project.name
    );
    this.title.closable = true;

    // Files.
    this._files = new ProjectFiles({
      model,
      editorServices,
      rendermime,
      trans
    });

    // Results and review.
    this._results = new ResultsModel({ client: connection.client });
    this._resultsWidget = new ResultsWidget(this._results, trans, {
      client: () => connection.client
    });
    this._resultsWidget.title.label = trans.__('Results');
    this._outputs = new ArtifactsWidget({
      results: this._results,
      client: connection.client,
      trans
    });
    this._outputs.title.label = trans.__('Outputs');
    this._review = new ReviewWidget(rendermime, trans);
    this._review.title.label = trans.__('Review');
    this._review.findingActivated.connect(this._onFinding, this);
    this._bottom = new TabPanel({ tabsMovable: false });
    this._bottom.addClass('jp-jaxlab-Bottom');
    this._bottom.addWidget(this._resultsWidget);
    this._bottom.addWidget(this._outputs);
    this._bottom.addWidget(this._review);
    // Run settings: the designated functions' parameters, read from main.py.
    this._arguments = new ArgumentModel({
      client: () => connection.client,
      projectId: model.project.id,
      designated: model.project.designatedFunctions ?? ['main'],
      storage: window.localStorage
    });
    this._argumentForm = new ArgumentForm(this._arguments, trans);
    // The accelerator, device count and Profile are run settings too; in the
    // toolbar they went into its overflow menu whenever the panel was narrow.
    this._picker = new AcceleratorPicker(
      trans,
      model.project.accelerator ?? connection.settings.defaultAccelerator
    );
    this._picker.changed.connect((_, acc) => this._updateRunLabel(acc), this);
    const settings = new Panel();
    settings.addClass('jp-jaxlab-RunSettings');
    settings.addWidget(this._argumentForm);
    settings.addWidget(this._picker);
    const top = new ProportionalSplitPanel({
      orientation: 'horizontal',
      spacing: 4,
      proportions: [4, 1]
    });
    top.addClass('jp-jaxlab-ProjectTop');
    top.addWidget(this._files);
    top.addWidget(settings);
    content.addWidget(top);
    content.addWidget(this._bottom);
    this._results.stateChanged.connect(this._onRunState, this);

    // Toolbar.
    this._reviewButton = new ToolbarButton({
      label: trans.__('Review Code'),
      tooltip: trans.__(
        'Lint main.py for JAX sharp bits and ask the AI reviewer (Alt+Shift+R)'
      ),
      className: 'jp-jaxlab-ReviewButton',
      onClick: () => void this.review()
    });
    this._runnableButton = new ToolbarButton({
      label: trans.__('Make it runnable'),
      tooltip: trans.__(
        'Move the top-level work of main.py into a generated main(), shown as a diff to accept or reject'
      ),
      className: 'jp-jaxlab-RunnableButton',
      onClick: () => void this.makeRunnable()
    });
    this._runButton = new RunButton(trans, () => void this.run());
    this._saveLabel = new Widget();
    this._saveLabel.addClass('jp-jaxlab-SaveState');
    this.toolbar.addItem('review', this._reviewButton);
    this.toolbar.addItem('make-runnable', this._runnableButton);
    this.toolbar.addItem('run', this._runButton);
    this.toolbar.addItem('spacer', new Widget({ node: spacer() }));
    this.toolbar.addItem('save-state', this._saveLabel);
    model.saveStateChanged.connect(this._onSaveState, this);
    this._onSaveState(model, model.saveState);
    void this.refreshHosts();
    void this._arguments.refresh(model.mainPy.sharedModel.getSource());
    void this.showLastRun();
  }

  /** The run settings (function, arguments, run name). */
  get argumentForm(): ArgumentForm {
    return this._argumentForm;
  }

  /** Shows the project's most recent run, if it has one (after a reload). */
  async showLastRun(): Promise<void> {
    try {
      const client = this._connection.client;
      const page = await client.listJobs({
        projectId: this._projectModel.project.id,
        limit: 1
      });
      if (page.items.length && !this._results.job) {
        this._results.bind(await client.getJob(page.items[0].id));
      }
    } catch {
      // Signed out or offline: the panel says so when a run is started.
    }
  }

  /** Emitted when a run starts from this panel. */
  get jobStarted(): ISignal<this, Job> {
    return this._jobStarted;
  }

  /** The project being edited. */
  get projectModel(): ProjectModel {
    return this._projectModel;
  }

  /** The active job's state. */
  /** The run's kept files (the "Outputs" tab). */
  get outputs(): ArtifactsWidget {
    return this._outputs;
  }

  /** Shows the "Outputs" tab. */
  showOutputs(): void {
    this._bottom.currentWidget = this._outputs;
  }

  get results(): ResultsModel {
    return this._results;
  }

  /** The review view. */
  get reviewWidget(): ReviewWidget {
    return this._review;
  }

  /** The main.py editor. */
  get mainPyEditor(): CodeEditorWrapper {
    return this._files.mainPyEditor;
  }

  /** The project's files: their list and editors. */
  get files(): ProjectFiles {
    return this._files;
  }

  /** The accelerator picker. */
  get picker(): AcceleratorPicker {
    return this._picker;
  }

  /** The function a run calls: the one chosen in the run settings. */
  get entrypoint(): string {
    return this._arguments.entrypoint;
  }

  /** Ask the server what the live hosts offer and how long the queue is. */
  async refreshHosts(): Promise<void> {
    try {
      this._picker.setHosts(await this._connection.client.listHosts());
    } catch {
      this._picker.setHosts(NO_HOSTS);
    }
    this._updateRunLabel(this._picker.value);
  }

  /** Save the project's files now. */
  save(): Promise<void> {
    return this._projectModel.save();
  }

  /**
   * Save, submit a run of the call the run settings make and show it in
   * the results tab. Refused while the project's run is queued or running
   * (one at a time, so a second click queues no duplicate), and when the
   * settings are not a valid call.
   */
  async run(): Promise<Job | null> {
    const trans = this._trans;
    if (this._results.isActive || this._submitting) {
      return null;
    }
    const call = this._arguments.call();
    if (!call.ok) {
      await showErrorMessage(
        trans.__('The run settings are not a call yet'),
        Object.entries(call.errors)
          .map(([param, error]) => (param ? `${param}: ${error}` : error))
          .join('\n')
      );
      return null;
    }
    this._submitting = true;
    this._runButton.isSubmitting = true;
    try {
      await this.refreshHosts();
      const accelerator = this._picker.value;
      if (!accelerator) {
        await showErrorMessage(
          trans.__('No accelerator available'),
          trans.__(
            'No connected host offers an accelerator. Start a kernel gateway (npm start does) and try again.'
          )
        );
        return null;
      }
      await this.save();
      const job = await this._connection.client.createJob({
        projectId: this._projectModel.project.id,
        code: this._projectModel.mainPy.sharedModel.getSource(),
        files: this._projectModel.files(),
        requirements: this._projectModel.requirements.sharedModel.getSource(),
        entrypoint: call.entrypoint,
        args: call.args,
        ...(this._argumentForm.runName.trim()
          ? { name: this._argumentForm.runName.trim().slice(0, 200) }
          : {}),
        accelerator,
        deviceCount: this._picker.deviceCount,
        profile: this._picker.profile
      });
      this._argumentForm.clearRunName();
      this._results.bind(job);
      this._bottom.currentWidget = this._resultsWidget;
      this._jobStarted.emit(job);
      return job;
    } catch (error) {
      await showErrorMessage(
        trans.__('The run could not start'),
        errorText(error)
      );
      return null;
    } finally {
      this._submitting = false;
      this._runButton.isSubmitting = false;
    }
  }

  /** Whether a run of this project is being submitted, queued or running. */
  get isRunning(): boolean {
    return this._submitting || this._results.isActive;
  }

  /** Show a job (e.g. one opened from the runs list) in the results tab. */
  showJob(job: Job): void {
    this._results.bind(job);
    this._bottom.currentWidget = this._resultsWidget;
  }

  /** Review the project's code and show the review tab. */
  async review(): Promise<void> {
    const trans = this._trans;
    this._bottom.currentWidget = this._review;
    this._review.showPending();
    this._reviewButton.enabled = false;
    try {
      const review = await this._connection.client.review({
        code: this._projectModel.mainPy.sharedModel.getSource(),
        files: this._projectModel.files(),
        requirements: this._projectModel.requirements.sharedModel.getSource(),
        projectId: this._projectModel.project.id
      });
      await this._review.showReview(review);
    } catch (error) {
      this._review.showError(
        trans.__('The review failed: %1', errorText(error))
      );
    } finally {
      this._reviewButton.enabled = true;
    }
  }

  /**
   * Make it runnable: asks the server for main.py with its top-level work
   * moved into main(), shows the diff, and puts it into the editor (saved
   * like any edit) if the user accepts. Resolves with whether it did.
   */
  async makeRunnable(): Promise<boolean> {
    const trans = this._trans;
    const current = this._projectModel.mainPy.sharedModel.getSource();
    this._runnableButton.enabled = false;
    try {
      const rewrite = await this._connection.client.makeRunnable(current);
      const accepted = await reviewRunnableProposal(current, rewrite, trans);
      if (accepted)
        this._projectModel.mainPy.sharedModel.setSource(rewrite.source);
      return accepted;
    } catch (error) {
      await showErrorMessage(
        trans.__('Make it runnable failed'),
        errorText(error)
      );
      return false;
    } finally {
      this._runnableButton.enabled = true;
    }
  }

  /** Show `file` (main.py by default) with the cursor at `line` (1-based). */
  goToLine(line: number, column = 1, file = 'main.py'): void {
    this._files.goTo(file, line, column);
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    void this._projectModel.save().finally(() => this._projectModel.dispose());
    this._results.dispose();
    this._arguments.dispose();
    window.clearTimeout(this._signaturesTimer);
    super.dispose();
  }

  protected onAfterAttach(
    msg: Parameters<MainAreaWidget['processMessage']>[0]
  ): void {
    super.onAfterAttach(msg);
    // The picker's hosts and queue lengths stay current while it is seen.
    this._hostsTimer = window.setInterval(() => {
      if (this.isVisible && !document.hidden) {
        void this.refreshHosts();
      }
    }, 10_000);
  }

  protected onAfterShow(
    msg: Parameters<MainAreaWidget['processMessage']>[0]
  ): void {
    super.onAfterShow(msg);
    void this.refreshHosts();
  }

  protected onBeforeDetach(
    msg: Parameters<MainAreaWidget['processMessage']>[0]
  ): void {
    window.clearInterval(this._hostsTimer);
    super.onBeforeDetach(msg);
  }

  private _onFinding(_: ReviewWidget, place: IReviewWidget.IPosition): void {
    this.goToLine(place.line, place.column, place.file);
  }

  private _onRunState(): void {
    this._runButton.isBusy = this._results.isActive;
  }

  private _onSaveState(_: ProjectModel, state: SaveState): void {
    if (state === 'saved') {
      // main.py may have new parameters: read its signatures again.
      window.clearTimeout(this._signaturesTimer);
      this._signaturesTimer = window.setTimeout(
        () =>
          void this._arguments.refresh(
            this._projectModel.mainPy.sharedModel.getSource()
          ),
        300
      );
    }
    const trans = this._trans;
    const text: Record<SaveState, string> = {
      saved: trans.__('Saved to server'),
      dirty: trans.__('Unsaved edits'),
      saving: trans.__('Saving…'),
      error: trans.__('Save failed: %1', this._projectModel.saveError)
    };
    this._saveLabel.node.textContent = text[state];
    this._saveLabel.node.dataset.state = state;
  }

  private _updateRunLabel(accelerator: string | null): void {
    // The button names where the run goes, as the picker beside it chose.
    this._runButton.accelerator = accelerator;
  }

  private _projectModel: ProjectModel;
  private _connection: JaxLabConnection;
  private _trans: TranslationBundle;
  private _files: ProjectFiles;
  private _results: ResultsModel;
  private _resultsWidget: ResultsWidget;
  private _outputs: ArtifactsWidget;
  private _review: ReviewWidget;
  private _bottom: TabPanel;
  private _reviewButton: ToolbarButton;
  private _runnableButton: ToolbarButton;
  private _runButton: RunButton;
  private _arguments: ArgumentModel;
  private _argumentForm: ArgumentForm;
  private _submitting = false;
  private _signaturesTimer = 0;
  private _picker: AcceleratorPicker;
  private _saveLabel: Widget;
  private _hostsTimer = 0;
  private _jobStarted = new Signal<this, Job>(this);
}

/** Statics of {@link ProjectPanel}. */
export namespace ProjectPanel {
  /** Options of {@link ProjectPanel}. */
  export interface IOptions {
    /** The project being edited. */
    model: ProjectModel;
    /** Server connection. */
    connection: JaxLabConnection;
    /** Editor factory (CodeMirror). */
    editorServices: IEditorServices;
    /** Markdown renderer. */
    rendermime: IRenderMimeRegistry;
    /** Translations. */
    trans: TranslationBundle;
  }
}

function spacer(): HTMLElement {
  const node = document.createElement('div');
  node.className = 'jp-Toolbar-spacer';
  return node;
}
