import type { Accelerator, JobCreate } from '@jaxlab/schemas/contract';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Panel } from '@lumino/widgets';
import type { ApiClient } from '../api/api-client.js';
import { ArgumentForm } from '../arguments/argument-form.js';
import { ArgumentModel, type FormCall } from '../arguments/argument-model.js';
import { AcceleratorPicker, NO_HOSTS } from './accelerator-picker.js';

/**
 * The run settings beside a project's files: the designated functions'
 * parameters, read from main.py (function, arguments, run name), then the
 * accelerator, device count and Profile. (In the panel's toolbar the
 * picker went into its overflow menu whenever the panel was narrow.)
 */
export class RunSettings extends Panel {
  /** Make the settings of project `projectId`. */
  constructor(options: RunSettings.IOptions) {
    super();
    this.addClass('jp-jaxlab-RunSettings');
    this._client = options.client;
    this._arguments = new ArgumentModel({
      client: options.client,
      projectId: options.projectId,
      designated: options.designated,
      storage: window.localStorage
    });
    this._argumentForm = new ArgumentForm(this._arguments, options.trans);
    this._picker = new AcceleratorPicker(options.trans, options.accelerator);
    this.addWidget(this._argumentForm);
    this.addWidget(this._picker);
  }

  /** The function, its arguments and the run name. */
  get argumentForm(): ArgumentForm {
    return this._argumentForm;
  }

  /** The accelerator, device count and Profile. */
  get picker(): AcceleratorPicker {
    return this._picker;
  }

  /** The function a run calls: the one chosen. */
  get entrypoint(): string {
    return this._arguments.entrypoint;
  }

  /** The call the settings make, or why they make none. */
  call(): FormCall {
    return this._arguments.call();
  }

  /**
   * What the settings put into a job of `call` on `accelerator`: the run
   * name (when one is typed, at most 200 characters), devices and Profile.
   */
  jobSettings(
    call: Extract<FormCall, { ok: true }>,
    accelerator: Accelerator
  ): Omit<JobCreate, 'code'> {
    const name = this._argumentForm.runName.trim();
    return {
      entrypoint: call.entrypoint,
      args: call.args,
      ...(name ? { name: name.slice(0, 200) } : {}),
      accelerator,
      deviceCount: this._picker.deviceCount,
      profile: this._picker.profile
    };
  }

  /** Ask the server what the live hosts offer and how long the queue is. */
  async refreshHosts(): Promise<void> {
    try {
      this._picker.setHosts(await this._client().listHosts());
    } catch {
      this._picker.setHosts(NO_HOSTS);
    }
  }

  /** Read the designated functions' parameters from `code` (main.py). */
  readSignatures(code: string): void {
    void this._arguments.refresh(code);
  }

  /**
   * Read them again shortly, from `code()` then: main.py was saved and may
   * have new parameters.
   */
  readSignaturesSoon(code: () => string): void {
    window.clearTimeout(this._signaturesTimer);
    this._signaturesTimer = window.setTimeout(
      () => this.readSignatures(code()),
      300
    );
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._arguments.dispose();
    window.clearTimeout(this._signaturesTimer);
    super.dispose();
  }

  private _client: () => ApiClient;
  private _arguments: ArgumentModel;
  private _argumentForm: ArgumentForm;
  private _picker: AcceleratorPicker;
  private _signaturesTimer = 0;
}

/** Statics of {@link RunSettings}. */
export namespace RunSettings {
  /** Options of {@link RunSettings}. */
  export interface IOptions {
    /** The server's client, as it is now. */
    client: () => ApiClient;
    projectId: string;
    /** The project's designated functions. */
    designated: readonly string[];
    /** Preselected once hosts are known. */
    accelerator: Accelerator;
    trans: TranslationBundle;
  }
}
