import type { Accelerator, User } from '@jaxlab/schemas/contract';
import { isJaxLabError } from '@jaxlab/schemas/contract';
import { Signal, type ISignal } from '@lumino/signaling';
import { ApiClient } from '../api/api-client.js';

/** The extension's settings (schema/plugin.json). */
export interface IJaxLabSettings {
  /** Base URL of the JAX TPU Lab server. */
  serverUrl: string;
  /** Personal API token; '' to use the browser session cookie. */
  token: string;
  /** Accelerator preselected for new runs. */
  defaultAccelerator: Accelerator;
}

/** Settings used until the registry answers. */
export const DEFAULT_SETTINGS: IJaxLabSettings = {
  serverUrl: 'http://127.0.0.1:8700',
  token: '',
  defaultAccelerator: 'tpu'
};

/**
 * The connection to the server: the current {@link ApiClient} (remade when
 * the settings change) and the signed-in user.
 */
export class JaxLabConnection {
  /** Make a connection with the given settings. */
  constructor(settings: Partial<IJaxLabSettings> = {}) {
    this._settings = { ...DEFAULT_SETTINGS, ...settings };
    this._client = this._makeClient();
  }

  /** Emitted when the settings (and so the client) change. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Emitted when the signed-in user changes (null: signed out). */
  get userChanged(): ISignal<this, User | null> {
    return this._userChanged;
  }

  /** Current settings. */
  get settings(): IJaxLabSettings {
    return this._settings;
  }

  /** Client for the current settings. */
  get client(): ApiClient {
    return this._client;
  }

  /** Signed-in user, null when signed out or not yet known. */
  get user(): User | null {
    return this._user;
  }

  /** Apply new settings. */
  configure(settings: Partial<IJaxLabSettings>): void {
    const next = { ...this._settings, ...settings };
    if (JSON.stringify(next) === JSON.stringify(this._settings)) {
      return;
    }
    this._settings = next;
    this._client = this._makeClient();
    this._changed.emit();
    void this.refreshUser();
  }

  /** Ask the server who is signed in; null when nobody is. */
  async refreshUser(): Promise<User | null> {
    let user: User | null = null;
    try {
      user = await this._client.me();
    } catch (error) {
      if (!isJaxLabError(error)) {
        throw error;
      }
    }
    if (JSON.stringify(user) !== JSON.stringify(this._user)) {
      this._user = user;
      this._userChanged.emit(user);
    }
    return user;
  }

  private _makeClient(): ApiClient {
    return new ApiClient({
      baseUrl: this._settings.serverUrl,
      token: this._settings.token
    });
  }

  private _settings: IJaxLabSettings;
  private _client: ApiClient;
  private _user: User | null = null;
  private _changed = new Signal<this, void>(this);
  private _userChanged = new Signal<this, User | null>(this);
}
