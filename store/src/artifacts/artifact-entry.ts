import type { Artifact } from '@jaxlab/schemas';
import { JaxLabError, assertValid } from '@jaxlab/schemas';
import { mediaTypeOf } from './media-type.js';

/**
 * Checks an artifact's name (schema `artifact`: a relative path, no `.` or
 * `..` segments, no control characters) before anything is stored.
 *
 * @throws JaxLabError `INVALID_REQUEST`.
 */
export function checkArtifactName(name: string): void {
  assertValid(
    'artifact',
    {
      name,
      contentType: 'application/octet-stream',
      sizeBytes: 0,
      sha256: '0'.repeat(64),
      createdAt: new Date(0).toISOString()
    },
    'artifact name'
  );
}

/** The listing entry of a stored artifact. */
export function artifactEntry(fields: {
  name: string;
  contentType?: string | null;
  sizeBytes: number;
  sha256: string;
  createdAt: string;
  description?: string | null;
  deletedAt?: string | null;
}): Artifact {
  const entry: Artifact = {
    name: fields.name,
    contentType: fields.contentType || mediaTypeOf(fields.name),
    sizeBytes: fields.sizeBytes,
    sha256: fields.sha256,
    createdAt: fields.createdAt
  };
  if (fields.description != null) entry.description = fields.description;
  if (fields.deletedAt != null) entry.deletedAt = fields.deletedAt;
  return entry;
}

/** The error of opening an artifact whose content retention deleted. */
export function artifactDeleted(jobId: string, name: string): JaxLabError {
  return new JaxLabError(
    'ARTIFACT_DELETED',
    `The content of ${name} of job ${jobId} was deleted by retention.`
  );
}
