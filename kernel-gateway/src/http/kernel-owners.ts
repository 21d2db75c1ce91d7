import { JaxLabError } from '@jaxlab/schemas';

import type { Caller } from './credentials.js';

/**
 * Which user each kernel started through the API belongs to. A user sees
 * only their own kernels; to them another user's kernel (and a kernel the
 * operator started for nobody, e.g. a job's) does not exist. The operator
 * sees every kernel.
 */
export class KernelOwners {
  /** Records the owner of a new kernel (undefined: the operator's own). */
  set(kernelId: string, ownerId: string | undefined): void {
    if (ownerId === undefined) this._owners.delete(kernelId);
    else this._owners.set(kernelId, ownerId);
  }

  /** Forgets a kernel that is gone. */
  delete(kernelId: string): void {
    this._owners.delete(kernelId);
  }

  /** The user a kernel belongs to, if any. */
  ownerOf(kernelId: string): string | undefined {
    return this._owners.get(kernelId);
  }

  /** Whether `caller` may see and use the kernel. */
  isVisibleTo(kernelId: string, caller: Caller): boolean {
    return (
      caller.kind === 'operator' || this.ownerOf(kernelId) === caller.userId
    );
  }

  private _owners = new Map<string, string>();
}

/** The user id a caller acts as, or undefined for the operator. */
export function userIdOf(caller: Caller): string | undefined {
  return caller.kind === 'user' ? caller.userId : undefined;
}

/** The error for a kernel that does not exist, or is not the caller's. */
export function kernelNotFound(kernelId: string): JaxLabError {
  return new JaxLabError(
    'KERNEL_NOT_FOUND',
    `Kernel does not exist: ${kernelId}`,
    {
      hint: 'List your running kernels with GET /api/kernels.'
    }
  );
}
