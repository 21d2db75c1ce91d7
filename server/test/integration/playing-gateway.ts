import type { HostInfo, LiteralArgs } from '@jaxlab/schemas';
import type { IStore } from '@jaxlab/store';

/** What a played run does: its step series and final values, or a failure. */
export interface IPlayedRun {
  /** Step series by name: values at steps 0, 1, 2, ... */
  series?: Record<string, number[]>;
  /** Run values (`Final <name>:`). */
  values?: Record<string, number>;
  /** Ends FAILED with USER_ERROR instead of COMPLETED. */
  fails?: boolean;
}

/**
 * Plays a job to its end as a gateway would, through the store: RUNNING,
 * its series (one append per point when `stepwise`), metrics, final status.
 */
export async function playRun(
  store: IStore,
  hostId: string,
  jobId: string,
  run: IPlayedRun,
  options: { stepDelayMs?: number } = {}
): Promise<void> {
  await store.events.append(
    jobId,
    [{ type: 'job:status', status: 'RUNNING' }],
    { hostId }
  );
  const series = run.series ?? {};
  const steps = Math.max(0, ...Object.values(series).map(v => v.length));
  for (let step = 0; step < steps; step++) {
    const batch: Record<
      string,
      { steps: number[]; values: number[]; times: number[] }
    > = {};
    for (const [name, values] of Object.entries(series)) {
      if (step < values.length)
        batch[name] = {
          steps: [step],
          values: [values[step]],
          times: [Date.now()]
        };
    }
    const summary = await store.series.append(jobId, batch);
    const job = await store.jobs.get(jobId);
    if (job?.cancelRequested) {
      await store.events.append(
        jobId,
        [{ type: 'job:status', status: 'CANCELLED' }],
        { hostId }
      );
      return;
    }
    await store.events.append(
      jobId,
      [{ type: 'job:series', progress: { step, points: step + 1 }, summary }],
      { hostId }
    );
    if (options.stepDelayMs)
      await new Promise(r => setTimeout(r, options.stepDelayMs));
  }
  await store.events.append(
    jobId,
    [
      {
        type: 'job:metrics',
        metrics: {
          compilationTimeMs: 1,
          executionTimeMs: 10,
          values: run.values ?? {},
          device: { platform: 'cpu', count: 1 }
        }
      },
      run.fails
        ? {
            type: 'job:status',
            status: 'FAILED',
            failure: {
              reason: 'USER_ERROR',
              message: 'ValueError: diverged',
              hint: 'Fix the code.'
            }
          }
        : { type: 'job:status', status: 'COMPLETED' }
    ],
    { hostId }
  );
}

/**
 * A gateway host played through the store: registers with `slots`, claims
 * queued jobs while it has a free slot, and plays each with `behave(args)`.
 * Counts every job it claimed, so a test can tell that none ran twice.
 */
export class PlayingGateway {
  readonly claimed: string[] = [];
  /** The most jobs it ran at once. */
  peakRunning = 0;

  constructor(
    private readonly store: IStore,
    private readonly behave: (args: LiteralArgs) => IPlayedRun,
    private readonly options: {
      hostId?: string;
      slots?: number;
      stepDelayMs?: number;
    } = {}
  ) {}

  get hostId(): string {
    return this.options.hostId ?? 'host-1';
  }

  /** Registers the host and starts claiming. */
  async start(): Promise<this> {
    await this._heartbeat();
    this._loop = this._run();
    return this;
  }

  /** Stops claiming; jobs in play finish first. */
  async stop(): Promise<void> {
    this._stopped = true;
    await this._loop;
    await Promise.all(this._playing);
  }

  private async _run(): Promise<void> {
    const slots = this.options.slots ?? 1;
    while (!this._stopped) {
      if (this._playing.size < slots) {
        const job = await this.store.queue.claimNext({
          hostId: this.hostId,
          capacity: (['cpu'] as const).map(accelerator => ({
            accelerator,
            maxDevices: 256
          })),
          leaseMs: 60_000
        });
        if (job) {
          this.claimed.push(job.id);
          const play: Promise<void> = playRun(
            this.store,
            this.hostId,
            job.id,
            this.behave(job.args),
            this.options
          ).finally(() => {
            this._playing.delete(play);
            void this._heartbeat();
          });
          this._playing.add(play);
          this.peakRunning = Math.max(this.peakRunning, this._playing.size);
          await this._heartbeat();
          continue;
        }
      }
      await new Promise(r => setTimeout(r, 10));
    }
  }

  private async _heartbeat(): Promise<void> {
    const host: HostInfo = {
      hostId: this.hostId,
      gatewayVersion: 'test',
      accelerators: [{ kind: 'cpu', count: 1 }],
      maxConcurrentJobs: this.options.slots ?? 1,
      runningJobs: this._playing.size,
      lastSeenAt: new Date().toISOString()
    };
    await this.store.hosts.upsert(host);
  }

  private _stopped = false;
  private _loop: Promise<void> | undefined;
  private _playing = new Set<Promise<void>>();
}
