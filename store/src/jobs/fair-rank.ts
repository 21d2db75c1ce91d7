/**
 * Where the queue stands when a job is created: the smallest fair rank of
 * any QUEUED job (the front), and the largest of the owner's QUEUED jobs;
 * null when there is none.
 */
export interface IFairRanks {
  queueFront: number | null;
  ownerLast: number | null;
}

/**
 * The fair rank of a new job (start-time fair queueing): right after the
 * owner's last queued job, but never before the front of the queue. The
 * queue is claimed by rank, then age, so users with queued jobs take turns
 * one job each (round-robin), oldest first within a user, and a user
 * arriving behind another's hundred jobs waits for one of them, not for all
 * of them. Two creates racing may share a rank; age orders them.
 */
export function nextFairRank(ranks: IFairRanks): number {
  const front = ranks.queueFront ?? 0;
  return ranks.ownerLast === null
    ? front
    : Math.max(front, ranks.ownerLast + 1);
}
