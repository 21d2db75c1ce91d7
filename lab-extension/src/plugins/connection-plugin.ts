import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import {
  JaxLabConnection,
  type IJaxLabSettings
} from '../connection/connection.js';
import { IJaxLabConnection } from '../tokens.js';

const PLUGIN_ID = '@jaxlab/lab-extension:plugin';

/**
 * The server connection, configured from the settings registry
 * (schema/plugin.json: serverUrl, token, defaultAccelerator).
 */
export const connectionPlugin: JupyterFrontEndPlugin<JaxLabConnection> = {
  id: PLUGIN_ID,
  description:
    'Connects JupyterLab to the JAX TPU Lab server, configured in Settings.',
  autoStart: true,
  provides: IJaxLabConnection,
  optional: [ISettingRegistry],
  activate: async (
    _app: JupyterFrontEnd,
    registry: ISettingRegistry | null
  ): Promise<JaxLabConnection> => {
    const connection = new JaxLabConnection();
    if (registry) {
      try {
        const settings = await registry.load(PLUGIN_ID);
        const apply = (): void =>
          connection.configure(
            settings.composite as unknown as Partial<IJaxLabSettings>
          );
        apply();
        settings.changed.connect(apply);
      } catch (error) {
        console.warn(
          'JAX TPU Lab: settings could not be loaded; using defaults.',
          error
        );
      }
    }
    return connection;
  }
};
