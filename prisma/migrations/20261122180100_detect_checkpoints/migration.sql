-- Detection partition checkpoints (issue 5): the route state and open anomalies of each detection
-- partition, so a restarted process or one taking a partition over resumes instead of re-learning.
-- In PostgreSQL rather than on disk: the process that takes a partition over may run on another host.
-- NOTE: the migration runner splits this file at every semicolon: none inside statements or comments.

-- One row per (partition count, partition): a different DETECT_PARTITIONS maps prefixes
-- differently, so its checkpoints are separate and the old ones are never restored into it.
CREATE TABLE "detect_checkpoints" (
    "partition_count" INTEGER NOT NULL,
    "partition" INTEGER NOT NULL,
    "route_state" BYTEA NOT NULL,
    "open_anomalies" JSONB NOT NULL,
    "event_time_us" BIGINT NOT NULL,
    "last_job_id" BIGINT NOT NULL,
    "jobs" BIGINT NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "detect_checkpoints_pkey" PRIMARY KEY ("partition_count", "partition")
);
