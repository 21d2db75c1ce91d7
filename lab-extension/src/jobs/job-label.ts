/**
 * Short form of a job id for labels. Ids are time-ordered (their heads are
 * shared by runs made close together), so the tail is what tells them apart.
 */
export function shortJobId(id: string): string {
  return id.length > 8 ? id.slice(-8) : id;
}
