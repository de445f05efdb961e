// State of the live feed as the collector reports it (kept in Redis, read by /api/health and
// pushed to the dashboard). Wall-clock fields are ms since the epoch; event-time fields are µs.

export type FeedConnection = 'connecting' | 'connected' | 'disconnected' | 'stopped';

/** 'live' = RIS Live (or any server at RIS_LIVE_URL); 'simulated' = the project's demo replay. */
export type FeedLabel = 'live' | 'simulated';

export interface FeedState {
  url: string;
  label: FeedLabel;
  connection: FeedConnection;
  /** Messages per second over the last few seconds (ris_message frames). */
  messagesPerSecond: number;
  /** Normalized events per second committed to the database. */
  eventsPerSecond: number;
  totalMessages: number;
  totalEvents: number;
  /** Frames that could not be used (bad JSON, unknown type, missing fields, too large). */
  malformedFrames: number;
  /** Wall-clock ms of the last ris_message received. */
  lastMessageAtMs: number | null;
  /** Event time (µs) of the last ris_message received. */
  lastEventTimeUs: number | null;
  lastGap: { startedAtMs: number; endedAtMs: number; reason: string } | null;
  reconnects: number;
  updatedAtMs: number;
}

/** What the collector publishes after each committed batch, for live dashboards. */
export interface FeedUpdate {
  feed: FeedState;
  /** A few of the newest events of the batch, already in API shape. */
  latest: import('@/lib/api/types').ApiBgpEvent[];
}

/** Redis names shared by the collector (writer) and the API/SSE (readers). */
export const FEED_STATE_KEY = 'obs:feed:state';
export const FEED_UPDATES_CHANNEL = 'obs:feed:updates';
export const WORKER_HEARTBEAT_PREFIX = 'obs:worker:heartbeat:';

/** What a worker process writes every few seconds (key expires when the worker dies). */
export interface WorkerHeartbeat {
  workerId: string;
  pid: number;
  queues: string[];
  startedAtMs: number;
  beatAtMs: number;
}
