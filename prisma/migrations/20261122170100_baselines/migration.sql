-- Baselines built from history on event time (lib/db/baselines.ts, lib/baseline/*).
-- NOTE: the migration runner splits this file at every semicolon, so none may appear inside a
-- statement, a string or a comment.

-- prefix_hour_stats: one compact row per (event-time hour, prefix), recomputed whole from
-- bgp_events by one GROUP BY (delete + insert in one transaction, so replays give the same rows).
-- Kept past the raw-event retention: baselines of 30 days are rebuilt from these, never from
-- bgp_events. Parallel arrays (value, count) instead of child rows keep a prefix-hour to one
-- tuple. hour = whole hours since the epoch (int4 lasts until the year 246,000).
CREATE TABLE "prefix_hour_stats" (
    "hour" INTEGER NOT NULL,
    "prefix" CIDR NOT NULL,
    "announcements" INTEGER NOT NULL,
    "withdrawals" INTEGER NOT NULL,
    "peers" INTEGER NOT NULL,
    "collectors" TEXT[] NOT NULL,
    "origins" BIGINT[] NOT NULL,
    "origin_counts" INTEGER[] NOT NULL,
    "link_from" BIGINT[] NOT NULL,
    "link_to" BIGINT[] NOT NULL,
    "link_counts" INTEGER[] NOT NULL,
    "path_keys" INTEGER[] NOT NULL,
    "path_counts" INTEGER[] NOT NULL,
    "path_lengths" SMALLINT[] NOT NULL,
    "path_length_counts" INTEGER[] NOT NULL,

    CONSTRAINT "prefix_hour_stats_pkey" PRIMARY KEY ("hour", "prefix")
);

-- baseline_hours: which hours are aggregated and what the aggregate saw. window_events is the
-- ingest_windows count of the hour read in the same snapshot: when it later differs (a backfill
-- added rows) the scheduler recomputes the hour.
CREATE TABLE "baseline_hours" (
    "hour" INTEGER NOT NULL,
    "events" BIGINT NOT NULL,
    "window_events" BIGINT NOT NULL,
    "prefixes" INTEGER NOT NULL,
    "aggregated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "baseline_hours_pkey" PRIMARY KEY ("hour")
);

-- prefix_baselines: the rolling sums of one window (24, 168 or 720 hours) for one prefix, packed
-- by lib/baseline/codec.ts. Updated incrementally: each aggregated hour is added and the hour
-- leaving the window subtracted. state NULL is a tombstone (nothing left in the window) so that
-- caches refreshing by seq learn about removals, and seq orders every change for those refreshes.
CREATE SEQUENCE "prefix_baselines_seq" AS BIGINT;
CREATE TABLE "prefix_baselines" (
    "window_hours" SMALLINT NOT NULL,
    "prefix" CIDR NOT NULL,
    "state" BYTEA,
    "seq" BIGINT NOT NULL,

    CONSTRAINT "prefix_baselines_pkey" PRIMARY KEY ("window_hours", "prefix"),
    CONSTRAINT "prefix_baselines_window_check" CHECK ("window_hours" IN (24, 168, 720))
);
CREATE INDEX "prefix_baselines_seq_idx" ON "prefix_baselines"("seq");

-- baseline_as_links: adjacent AS pairs (as they appear in paths, left = closer to the
-- collector) with occurrence counts per window, summed over all prefixes: the relationship hints
-- for route-leak detection.
CREATE TABLE "baseline_as_links" (
    "window_hours" SMALLINT NOT NULL,
    "asn_from" BIGINT NOT NULL,
    "asn_to" BIGINT NOT NULL,
    "count" BIGINT NOT NULL,

    CONSTRAINT "baseline_as_links_pkey" PRIMARY KEY ("window_hours", "asn_from", "asn_to")
);

-- baseline_state: one row. as_of_hour is the newest aggregated hour: every window covers the
-- hours (as_of_hour - window_hours, as_of_hour]. purged_seq: tombstones up to it are gone, so a
-- cache that saw less must reload in full.
CREATE TABLE "baseline_state" (
    "id" SMALLINT NOT NULL,
    "as_of_hour" INTEGER,
    "purged_seq" BIGINT NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "baseline_state_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "baseline_state_single_row" CHECK ("id" = 1)
);
INSERT INTO "baseline_state" ("id") VALUES (1);
