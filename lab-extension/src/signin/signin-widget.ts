import type { User } from '@jaxlab/schemas/contract';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import type { JaxLabConnection } from '../connection/connection.js';

/**
 * Top-bar item: “JAX TPU Lab” and either “Sign In” (opens the server's
 * sign-in page) or “Welcome, <email>”.
 */
export class SignInWidget extends Widget {
  /** Make the item; it asks the server who is signed in when attached. */
  constructor(connection: JaxLabConnection, trans: TranslationBundle) {
    super();
    this.addClass('jp-jaxlab-SignIn');
    this.id = 'jp-jaxlab-signin';
    this._connection = connection;
    this._trans = trans;
    const brand = document.createElement('span');
    brand.className = 'jp-jaxlab-SignIn-brand';
    brand.textContent = 'JAX TPU Lab';
    this._welcome = document.createElement('span');
    this._welcome.className = 'jp-jaxlab-SignIn-welcome';
    this._button = document.createElement('button');
    this._button.className =
      'jp-jaxlab-Button jp-mod-accept jp-jaxlab-SignIn-button';
    this._button.textContent = trans.__('Sign In');
    this.node.append(brand, this._welcome, this._button);
    connection.userChanged.connect(this._render, this);
    this._render(connection, connection.user);
  }

  /** Open the sign-in page and watch for the session to appear. */
  signIn(): void {
    window.open(
      this._connection.client.loginUrl(window.location.href),
      '_blank',
      'noopener'
    );
    this._pollUntil = Date.now() + 120_000;
  }

  protected onAfterAttach(): void {
    this._button.addEventListener('click', this._onClick);
    window.addEventListener('focus', this._onFocus);
    this._timer = window.setInterval(this._poll, 2000);
    void this._connection.refreshUser();
  }

  protected onBeforeDetach(): void {
    this._button.removeEventListener('click', this._onClick);
    window.removeEventListener('focus', this._onFocus);
    window.clearInterval(this._timer);
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._connection.userChanged.disconnect(this._render, this);
    window.clearInterval(this._timer);
    super.dispose();
  }

  private _render(_: JaxLabConnection, user: User | null): void {
    this._button.hidden = !!user;
    this._welcome.textContent = user
      ? this._trans.__('Welcome, %1', user.email || user.name)
      : '';
    this._welcome.title = user
      ? `${user.name} (${user.provider ?? 'local'})`
      : '';
  }

  private _onClick = (): void => {
    this.signIn();
  };

  private _onFocus = (): void => {
    void this._connection.refreshUser();
  };

  // Poll while signed out: fast right after “Sign In”, slowly otherwise.
  private _poll = (): void => {
    if (this._connection.user) {
      return;
    }
    if (Date.now() < this._pollUntil || ++this._ticks % 5 === 0) {
      void this._connection.refreshUser();
    }
  };

  private _connection: JaxLabConnection;
  private _trans: TranslationBundle;
  private _welcome: HTMLSpanElement;
  private _button: HTMLButtonElement;
  private _timer = 0;
  private _ticks = 0;
  private _pollUntil = 0;
}
