/**
 * Schema of the embedded store, one entry per version: entry i moves the
 * database from `PRAGMA user_version` i to i+1. Append new entries; never
 * edit a shipped one.
 */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    projectId TEXT,
    status TEXT NOT NULL,
    accelerator TEXT NOT NULL,
    entrypoint TEXT NOT NULL,
    args TEXT NOT NULL,
    code TEXT NOT NULL,
    requirements TEXT NOT NULL,
    timeLimitMs INTEGER,
    createdAt TEXT NOT NULL,
    updatedAt TEXT NOT NULL,
    startedAt TEXT,
    finishedAt TEXT,
    host TEXT,
    leaseHolder TEXT,
    leaseExpiresAt INTEGER,
    lastSeq INTEGER NOT NULL DEFAULT 0,
    logTail TEXT NOT NULL DEFAULT '',
    logsDeleted INTEGER NOT NULL DEFAULT 0,
    cancelRequested INTEGER NOT NULL DEFAULT 0,
    failure TEXT,
    metrics TEXT,
    manifest TEXT
  );
  CREATE INDEX jobs_owner_created ON jobs (owner, createdAt);
  CREATE INDEX jobs_queue ON jobs (status, accelerator, createdAt);
  CREATE INDEX jobs_project ON jobs (projectId);
  CREATE INDEX jobs_lease ON jobs (leaseExpiresAt) WHERE leaseExpiresAt IS NOT NULL;

  CREATE TABLE job_events (
    jobId TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    time TEXT NOT NULL,
    payload TEXT NOT NULL,
    PRIMARY KEY (jobId, seq)
  ) WITHOUT ROWID;

  CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    logRetentionDays INTEGER,
    createdAt TEXT NOT NULL,
    doc TEXT NOT NULL
  );
  CREATE INDEX projects_owner ON projects (owner, createdAt);

  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    subject TEXT NOT NULL,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    createdAt TEXT NOT NULL,
    UNIQUE (provider, subject)
  );

  CREATE TABLE sessions (
    sidHash TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    expiresAt INTEGER NOT NULL
  );
  CREATE INDEX sessions_expires ON sessions (expiresAt);

  CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    name TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    createdAt TEXT NOT NULL,
    lastUsedAt TEXT
  );
  CREATE INDEX api_tokens_owner ON api_tokens (owner);

  CREATE TABLE hosts (
    hostId TEXT PRIMARY KEY,
    lastSeenAt TEXT NOT NULL,
    doc TEXT NOT NULL
  );
  `,
  // Artifacts: entries per job, contents by SHA-256 with reference counts
  // (the files live under <data>/artifacts/), what each collection did.
  `
  CREATE TABLE artifact_contents (
    sha256 TEXT PRIMARY KEY,
    sizeBytes INTEGER NOT NULL,
    refs INTEGER NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE artifacts (
    jobId TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    contentType TEXT NOT NULL,
    sizeBytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    createdAt TEXT NOT NULL,
    description TEXT,
    deletedAt TEXT,
    PRIMARY KEY (jobId, name)
  ) WITHOUT ROWID;
  CREATE INDEX artifacts_sha256 ON artifacts (sha256);

  CREATE TABLE artifact_collections (
    jobId TEXT PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    doc TEXT NOT NULL
  );

  CREATE TABLE chat_messages (
    conversation TEXT NOT NULL,
    owner TEXT NOT NULL,
    seq INTEGER NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (conversation, owner, seq)
  ) WITHOUT ROWID;
  `,
  // What users say about runs, their phases, step series.
  `
  ALTER TABLE jobs ADD COLUMN name TEXT NOT NULL DEFAULT '';
  ALTER TABLE jobs ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE jobs ADD COLUMN notes TEXT NOT NULL DEFAULT '';
  ALTER TABLE jobs ADD COLUMN phases TEXT;
  ALTER TABLE jobs ADD COLUMN progress TEXT;
  ALTER TABLE jobs ADD COLUMN series TEXT;

  CREATE TABLE job_series (
    jobId TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    count INTEGER NOT NULL,
    lastStep INTEGER NOT NULL,
    last REAL NOT NULL,
    min REAL NOT NULL,
    max REAL NOT NULL,
    PRIMARY KEY (jobId, name)
  ) WITHOUT ROWID;

  CREATE TABLE job_series_chunks (
    jobId TEXT NOT NULL,
    name TEXT NOT NULL,
    chunk INTEGER NOT NULL,
    minStep INTEGER NOT NULL,
    maxStep INTEGER NOT NULL,
    count INTEGER NOT NULL,
    points BLOB NOT NULL,
    PRIMARY KEY (jobId, name, chunk),
    FOREIGN KEY (jobId, name) REFERENCES job_series (jobId, name) ON DELETE CASCADE
  ) WITHOUT ROWID;
  `,
  // Scale-out: fair order between users (a rank per job), the attempt a
  // requeued job is on.
  `
  ALTER TABLE jobs ADD COLUMN fairRank INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE jobs ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1;
  CREATE INDEX jobs_fair_queue ON jobs (status, fairRank, createdAt);
  CREATE INDEX jobs_owner_status ON jobs (owner, status);
  `,
  // Device slots: a job asks for a number of devices; a claim takes a job
  // only when that many are free. A profiled job keeps its trace.
  `
  ALTER TABLE jobs ADD COLUMN deviceCount INTEGER NOT NULL DEFAULT 1;
  ALTER TABLE jobs ADD COLUMN profile INTEGER NOT NULL DEFAULT 0;
  `,
  // Regression verdicts with runs, baselines, sweeps.
  `
  ALTER TABLE jobs ADD COLUMN regression TEXT;
  CREATE INDEX jobs_project_status ON jobs (projectId, status);

  CREATE TABLE baselines (
    projectId TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    doc TEXT NOT NULL
  );

  CREATE TABLE sweeps (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    projectId TEXT NOT NULL,
    status TEXT NOT NULL,
    createdAt TEXT NOT NULL,
    doc TEXT NOT NULL,
    template TEXT NOT NULL
  );
  CREATE INDEX sweeps_owner ON sweeps (owner, createdAt);
  CREATE INDEX sweeps_status ON sweeps (status);
  `,
  // A job's other project files (models.py, utils/...), as a JSON array of
  // {path, content}; jobs from before have none.
  `ALTER TABLE jobs ADD COLUMN files TEXT NOT NULL DEFAULT '[]';`,
  // The OpenID provider's state (sessions, grants, codes, tokens), shared
  // by server replicas.
  `
  CREATE TABLE oidc_records (
    model TEXT NOT NULL,
    id TEXT NOT NULL,
    payload TEXT NOT NULL,
    grantId TEXT,
    uid TEXT,
    userCode TEXT,
    accountId TEXT,
    consumed INTEGER,
    expiresAt INTEGER,
    PRIMARY KEY (model, id)
  ) WITHOUT ROWID;
  CREATE INDEX oidc_records_grant ON oidc_records (grantId);
  CREATE INDEX oidc_records_uid ON oidc_records (model, uid);
  CREATE INDEX oidc_records_user_code ON oidc_records (model, userCode);
  CREATE INDEX oidc_records_account ON oidc_records (model, accountId);
  CREATE INDEX oidc_records_expires ON oidc_records (expiresAt);
  `
];
