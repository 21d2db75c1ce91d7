import type { KernelFilesWrite } from '@jaxlab/schemas/contract';
import { ServerConnection } from '@jupyterlab/services';
import { errorFromResponse, networkError } from '../api/api-error.js';

/**
 * Puts files into a notebook kernel's folder: `PUT
 * <base_url>jaxlab/kernels/<id>/files` on this JupyterLab's own server,
 * whose server extension passes the body on to the kernel gateway with the
 * server's gateway credential (the notebook's user's; the browser has
 * none). The gateway checks every path and writes without leaving the
 * folder.
 *
 * @throws JaxLabError with the gateway's code (`UNSAFE_PATH`,
 *   `KERNEL_NOT_FOUND`, ...) or `NETWORK_ERROR`.
 */
export async function writeKernelFiles(
  settings: ServerConnection.ISettings,
  kernelId: string,
  body: KernelFilesWrite
): Promise<void> {
  const url = `${settings.baseUrl.replace(/\/?$/, '/')}jaxlab/kernels/${encodeURIComponent(kernelId)}/files`;
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(
      url,
      {
        method: 'PUT',
        body: JSON.stringify(body),
        headers: { 'Content-Type': 'application/json' }
      },
      settings
    );
  } catch (error) {
    throw networkError('JupyterLab’s server cannot be reached.', error);
  }
  if (!response.ok) throw await errorFromResponse(response);
}
