// Backfill model shared by the broker client, the worker, the CLI, the API and the page: what a
// run asks for, the files it covers and the progress of each. Times are event time (unix
// seconds for archive intervals, as the broker speaks them); progress timestamps are wall clock.

export const DUMP_TYPES = ['updates', 'ribs'] as const;
export type DumpType = (typeof DUMP_TYPES)[number];

/** One MRT dump file: from the broker (an archive URL) or given on the command line (a path). */
export interface DumpFile {
  /** http(s) URL or local path. */
  location: string;
  /** 'ris', 'routeviews', … ; null for a local file of unknown origin. */
  project: string | null;
  collector: string;
  dumpType: DumpType | 'unknown';
  /** Nominal start of the file's data (unix seconds); null when unknown. */
  initialTime: number | null;
  /** Seconds of data in the file (updates: 300 at RIS, 900 at RouteViews); null when unknown. */
  duration: number | null;
}

/** What a run was asked to do. Stored as the run's params. */
export type BackfillRequest =
  | { kind: 'files'; files: string[]; collector?: string }
  | {
      kind: 'archive';
      /** Unix seconds, inclusive interval of event time. */
      from: number;
      to: number;
      /** Empty: every collector of the projects. */
      collectors: string[];
      projects: string[];
      type: DumpType;
      /** The ingest gap this run fills, if any. */
      gapId?: string;
    };

export const RUN_STATUSES = ['planning', 'running', 'done', 'partial', 'failed'] as const;
export type BackfillRunStatus = (typeof RUN_STATUSES)[number];

export const FILE_STATUSES = ['pending', 'running', 'done', 'failed'] as const;
export type BackfillFileStatus = (typeof FILE_STATUSES)[number];

export interface BackfillFileRow extends DumpFile {
  id: string;
  runId: string;
  status: BackfillFileStatus;
  /** Size on disk once known (compressed, as downloaded). */
  bytes: number | null;
  records: number;
  events: number;
  inserted: number;
  duplicates: number;
  /** Records the parser skipped plus rows the database refused. */
  skipped: number;
  /** Parser byte offset (uncompressed MRT) of the last committed record. */
  byteOffset: number;
  error: string | null;
  errorByteOffset: number | null;
  errorRecord: number | null;
  attempts: number;
  startedAtMs: number | null;
  finishedAtMs: number | null;
  updatedAtMs: number;
}

export interface BackfillRunRow {
  id: string;
  createdAtMs: number;
  params: BackfillRequest;
  status: BackfillRunStatus;
  filesTotal: number;
  filesDone: number;
  filesFailed: number;
  records: number;
  events: number;
  inserted: number;
  duplicates: number;
  errors: number;
  gapId: string | null;
  startedAtMs: number | null;
  finishedAtMs: number | null;
  updatedAtMs: number;
  lastError: string | null;
}

/** Derived progress figures (lib/backfill/progress.ts). */
export interface RunProgress {
  /** 0..1 of files finished (done or failed). */
  fraction: number;
  /** Events per second of wall clock since the run started; null before it starts. */
  eventsPerSecond: number | null;
  /** Seconds until all files are finished at the pace so far; null when unknown. */
  etaSeconds: number | null;
  elapsedSeconds: number | null;
}
