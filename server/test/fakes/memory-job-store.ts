import { randomUUID } from 'node:crypto';
import type {
  ApiToken,
  HostInfo,
  Job,
  JobEvent,
  LogChunk,
  Project,
  ProjectWrite,
  RunManifest,
  User
} from '@jaxlab/schemas';
import { DEFAULT_DESIGNATED_FUNCTIONS, JaxLabError } from '@jaxlab/schemas';
import type { IJobStore, IPage, JobSummary, NewJobEvent } from '@jaxlab/store';

/**
 * In-memory {@link IJobStore} for fast unit tests of the server's edges.
 * Not a contract implementation: the queue methods are minimal.
 */
export class MemoryJobStore implements IJobStore {
  readonly kind = 'sqlite' as const;

  /** Clock used for timestamps; tests may replace it. */
  now: () => Date = () => new Date();

  async init(): Promise<void> {}
  async dispose(): Promise<void> {}

  async createJob(owner: string, input: IJobStore.ICreateJob): Promise<Job> {
    const t = this.now().toISOString();
    const job: Job = {
      id: randomUUID(),
      owner,
      projectId: input.projectId,
      status: 'QUEUED',
      accelerator: input.accelerator,
      entrypoint: input.entrypoint,
      args: input.args,
      code: input.code,
      requirements: input.requirements,
      timeLimitMs: input.timeLimitMs,
      createdAt: t,
      updatedAt: t,
      lastSeq: 0,
      logTail: '',
      cancelRequested: false
    };
    this._jobs.set(job.id, job);
    this._events.set(job.id, []);
    return structuredClone(job);
  }

  async getJob(id: string, owner?: string): Promise<Job | null> {
    const job = this._jobs.get(id);
    if (!job || (owner !== undefined && job.owner !== owner)) return null;
    return structuredClone(job);
  }

  async listJobs(query: IJobStore.IJobQuery): Promise<IPage<JobSummary>> {
    const items = [...this._jobs.values()]
      .filter(
        j =>
          j.owner === query.owner &&
          (!query.projectId || j.projectId === query.projectId) &&
          (!query.status || query.status.includes(j.status))
      )
      .reverse()
      .slice(0, query.limit ?? 50)
      .map(({ code: _c, requirements: _r, ...rest }) => structuredClone(rest));
    return { items };
  }

  async requestCancel(id: string, owner: string): Promise<Job | null> {
    const job = this._jobs.get(id);
    if (!job || job.owner !== owner) return null;
    if (job.status === 'QUEUED') {
      await this.appendEvents(id, [
        { type: 'job:status', status: 'CANCELLED' } as NewJobEvent
      ]);
    } else {
      job.cancelRequested = true;
    }
    return structuredClone(this._jobs.get(id)!);
  }

  async claimNextJob(): Promise<Job | null> {
    return null;
  }

  async renewLease(): Promise<{ held: boolean; cancelRequested: boolean }> {
    return { held: false, cancelRequested: false };
  }

  async expireLapsedLeases(): Promise<Job[]> {
    return [];
  }

  async appendEvents(
    jobId: string,
    events: NewJobEvent[]
  ): Promise<JobEvent[]> {
    const job = this._jobs.get(jobId);
    if (!job) throw new JaxLabError('JOB_NOT_FOUND', `No job ${jobId}`);
    if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(job.status)) {
      throw new JaxLabError('JOB_FINISHED', `Job ${jobId} is finished`);
    }
    const out: JobEvent[] = [];
    for (const e of events) {
      const full = {
        ...e,
        jobId,
        seq: ++job.lastSeq,
        time: this.now().toISOString()
      } as JobEvent;
      this._events.get(jobId)!.push(full);
      out.push(full);
      const any = full as unknown as Record<string, unknown>;
      if (full.type === 'job:status') {
        job.status = any.status as Job['status'];
        if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(job.status)) {
          job.finishedAt = full.time;
        }
      }
      if (full.type === 'job:log')
        job.logTail = (job.logTail + String(any.text)).slice(-4000);
      if (full.type === 'job:metrics')
        job.metrics = any.metrics as Job['metrics'];
    }
    return structuredClone(out);
  }

  async readEvents(
    jobId: string,
    afterSeq: number,
    limit: number
  ): Promise<JobEvent[]> {
    return (this._events.get(jobId) ?? [])
      .filter(e => e.seq > afterSeq)
      .slice(0, limit);
  }

  async readLogs(
    jobId: string,
    afterSeq: number,
    limit: number
  ): Promise<LogChunk[]> {
    return (this._events.get(jobId) ?? [])
      .filter(e => e.type === 'job:log' && e.seq > afterSeq)
      .slice(0, limit)
      .map(e => {
        const a = e as unknown as LogChunk;
        return {
          jobId,
          seq: a.seq,
          stream: a.stream,
          text: a.text,
          time: a.time
        };
      });
  }

  async *watchEvents(jobId: string, afterSeq: number): AsyncIterable<JobEvent> {
    for (const e of await this.readEvents(jobId, afterSeq, 1e9)) yield e;
  }

  async setManifest(jobId: string, manifest: RunManifest): Promise<void> {
    const job = this._jobs.get(jobId);
    if (job) job.manifest = manifest;
  }

  async deleteLogsFinishedBefore(
    projectId: string,
    cutoff: Date
  ): Promise<number> {
    let n = 0;
    for (const job of this._jobs.values()) {
      if (job.projectId !== projectId || !job.finishedAt || job.logsDeleted)
        continue;
      if (new Date(job.finishedAt) >= cutoff) continue;
      this._events.set(
        job.id,
        this._events.get(job.id)!.filter(e => e.type !== 'job:log')
      );
      job.logsDeleted = true;
      n++;
    }
    return n;
  }

  async createProject(
    owner: string,
    input: ProjectWrite & { name: string }
  ): Promise<Project> {
    const t = this.now().toISOString();
    const p: Project = {
      id: randomUUID(),
      owner,
      readme: '',
      mainPy: '',
      requirements: '',
      designatedFunctions: [...DEFAULT_DESIGNATED_FUNCTIONS],
      accelerator: 'cpu',
      timeLimitMs: 600_000,
      ...input,
      createdAt: t,
      updatedAt: t
    } as Project;
    this._projects.set(p.id, p);
    return structuredClone(p);
  }

  async getProject(id: string, owner: string): Promise<Project | null> {
    const p = this._projects.get(id);
    return p && p.owner === owner ? structuredClone(p) : null;
  }

  async listProjects(owner: string): Promise<Project[]> {
    return [...this._projects.values()]
      .filter(p => p.owner === owner)
      .map(p => structuredClone(p));
  }

  async listProjectsWithRetention(): Promise<Project[]> {
    return [...this._projects.values()]
      .filter(p => typeof p.logRetentionDays === 'number')
      .map(p => structuredClone(p));
  }

  async updateProject(
    id: string,
    owner: string,
    patch: ProjectWrite
  ): Promise<Project | null> {
    const p = this._projects.get(id);
    if (!p || p.owner !== owner) return null;
    Object.assign(p, patch, { updatedAt: this.now().toISOString() });
    return structuredClone(p);
  }

  async deleteProject(id: string, owner: string): Promise<boolean> {
    const p = this._projects.get(id);
    if (!p || p.owner !== owner) return false;
    return this._projects.delete(id);
  }

  async upsertUser(input: IJobStore.IUserInput): Promise<User> {
    const key = `${input.provider}:${input.subject}`;
    let user = this._users.get(key);
    if (!user) {
      user = {
        id: randomUUID(),
        email: input.email,
        name: input.name,
        provider: input.provider
      };
      this._users.set(key, user);
    }
    return { ...user };
  }

  async getUser(id: string): Promise<User | null> {
    const u = [...this._users.values()].find(x => x.id === id);
    return u ? { ...u } : null;
  }

  async putSession(
    sidHash: string,
    data: unknown,
    expiresAt: Date
  ): Promise<void> {
    this._sessions.set(sidHash, { data: structuredClone(data), expiresAt });
  }

  async getSession(
    sidHash: string,
    now: Date = this.now()
  ): Promise<unknown | null> {
    const s = this._sessions.get(sidHash);
    if (!s || s.expiresAt <= now) return null;
    return structuredClone(s.data);
  }

  async deleteSession(sidHash: string): Promise<void> {
    this._sessions.delete(sidHash);
  }

  /** Test hook: the stored session keys (hashes). */
  sessionKeys(): string[] {
    return [...this._sessions.keys()];
  }

  async createApiToken(
    owner: string,
    name: string,
    tokenHash: string
  ): Promise<ApiToken> {
    const t: ApiToken = {
      id: randomUUID(),
      name,
      createdAt: this.now().toISOString()
    };
    this._tokens.set(t.id, { ...t, owner, hash: tokenHash });
    return { ...t };
  }

  async listApiTokens(owner: string): Promise<ApiToken[]> {
    return [...this._tokens.values()]
      .filter(t => t.owner === owner)
      .map(({ owner: _o, hash: _h, ...t }) => t);
  }

  async revokeApiToken(id: string, owner: string): Promise<boolean> {
    const t = this._tokens.get(id);
    if (!t || t.owner !== owner) return false;
    return this._tokens.delete(id);
  }

  async findUserByTokenHash(tokenHash: string): Promise<User | null> {
    const t = [...this._tokens.values()].find(x => x.hash === tokenHash);
    if (!t) return null;
    t.lastUsedAt = this.now().toISOString();
    return this.getUser(t.owner);
  }

  async upsertHost(host: HostInfo): Promise<void> {
    this._hosts.set((host as unknown as { hostId: string }).hostId, host);
  }

  async listHosts(): Promise<HostInfo[]> {
    return [...this._hosts.values()];
  }

  private _jobs = new Map<string, Job>();
  private _events = new Map<string, JobEvent[]>();
  private _projects = new Map<string, Project>();
  private _users = new Map<string, User>();
  private _sessions = new Map<string, { data: unknown; expiresAt: Date }>();
  private _tokens = new Map<
    string,
    ApiToken & { owner: string; hash: string }
  >();
  private _hosts = new Map<string, HostInfo>();
}
