import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { TranslationBundle } from '@jupyterlab/translation';
import { TabPanel } from '@lumino/widgets';
import { ArtifactsWidget } from '../artifacts/artifacts-widget.js';
import type { JaxLabConnection } from '../connection/connection.js';
import { ResultsModel } from '../results/results-model.js';
import { ResultsWidget } from '../results/results-widget.js';
import { ReviewWidget } from '../review/review-widget.js';

/**
 * The tabs below a project's files: the shown run's “Results” and
 * “Outputs” (its kept files), and the code's “Review”. Owns the run's
 * {@link ResultsModel}.
 */
export class ResultTabs extends TabPanel {
  /** Make the tabs; they show no run until `results` is bound to one. */
  constructor(options: ResultTabs.IOptions) {
    super({ tabsMovable: false });
    const { connection, rendermime, trans } = options;
    this.addClass('jp-jaxlab-Bottom');
    this.results = new ResultsModel({ client: connection.client });
    this._resultsWidget = new ResultsWidget(this.results, trans, {
      client: () => connection.client
    });
    this._resultsWidget.title.label = trans.__('Results');
    this.outputs = new ArtifactsWidget({
      results: this.results,
      client: connection.client,
      trans
    });
    this.outputs.title.label = trans.__('Outputs');
    this.review = new ReviewWidget(rendermime, trans);
    this.review.title.label = trans.__('Review');
    this.addWidget(this._resultsWidget);
    this.addWidget(this.outputs);
    this.addWidget(this.review);
  }

  /** The shown run's state. */
  readonly results: ResultsModel;
  /** The run's kept files (the “Outputs” tab). */
  readonly outputs: ArtifactsWidget;
  /** The review view. */
  readonly review: ReviewWidget;

  /** Shows the “Results” tab. */
  showResults(): void {
    this.currentWidget = this._resultsWidget;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.results.dispose();
    super.dispose();
  }

  private _resultsWidget: ResultsWidget;
}

/** Statics of {@link ResultTabs}. */
export namespace ResultTabs {
  /** Options of {@link ResultTabs}. */
  export interface IOptions {
    /** Server connection. */
    connection: JaxLabConnection;
    /** Markdown renderer of the review. */
    rendermime: IRenderMimeRegistry;
    trans: TranslationBundle;
  }
}
