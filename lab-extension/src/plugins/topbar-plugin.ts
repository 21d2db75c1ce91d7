import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import type { JaxLabConnection } from '../connection/connection.js';
import { SignInWidget } from '../signin/signin-widget.js';
import { CommandIDs, IJaxLabConnection } from '../tokens.js';

/** Top-bar “JAX TPU Lab · Sign In / Welcome, <email>”. */
export const topbarPlugin: JupyterFrontEndPlugin<void> = {
  id: '@jaxlab/lab-extension:topbar',
  description:
    'Shows who is signed in to JAX TPU Lab in the top bar, with a Sign In button.',
  autoStart: true,
  requires: [IJaxLabConnection],
  optional: [ITranslator, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    connection: JaxLabConnection,
    translator: ITranslator | null,
    palette: ICommandPalette | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jaxlab');
    const widget = new SignInWidget(connection, trans);
    app.shell.add(widget, 'top', { rank: 900 });
    app.commands.addCommand(CommandIDs.signIn, {
      label: trans.__('Sign In to JAX TPU Lab'),
      caption: trans.__('Open the JAX TPU Lab server’s sign-in page'),
      execute: () => widget.signIn()
    });
    palette?.addItem({ command: CommandIDs.signIn, category: 'JAX TPU Lab' });
  }
};
