-- Baselines at full-feed scale (lib/db/baselines.ts): hour rows are kept for two to three days
-- only, the 7 d and 30 d windows are sums of whole event-time days, and each day of each prefix
-- is one bounded row. NOTE: the migration runner splits this file at every semicolon, so none
-- may appear inside a statement, a string or a comment.

-- prefix_day_stats: one row per (event-time day, prefix): the sums of the day's hour rows in the
-- packed form of lib/baseline/codec.ts (the same sums a window keeps). Built hour by hour while
-- the day runs. Once the day has ended it is folded into the 7 d / 30 d windows and bounded to
-- the most counted origins, adjacent AS pairs and paths. other_* count what that bound dropped.
-- day = whole days since the epoch.
CREATE TABLE "prefix_day_stats" (
    "day" INTEGER NOT NULL,
    "prefix" CIDR NOT NULL,
    "state" BYTEA NOT NULL,
    "other_origins" INTEGER NOT NULL DEFAULT 0,
    "other_links" INTEGER NOT NULL DEFAULT 0,
    "other_paths" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "prefix_day_stats_pkey" PRIMARY KEY ("day", "prefix")
);

-- as_of_day: the newest day folded into the 7 d / 30 d windows (they cover the days
-- (as_of_day - 7 or 30, as_of_day]). hours_pruned_before: hour rows before this hour are gone,
-- so re-aggregating such an hour cannot subtract its old row and leaves the days alone.
ALTER TABLE "baseline_state" ADD COLUMN "as_of_day" INTEGER;
ALTER TABLE "baseline_state" ADD COLUMN "hours_pruned_before" INTEGER;

-- The 7 d / 30 d sums so far were hour-based and cannot be turned into day sums: start the
-- baselines again. The scheduler re-aggregates every hour whose raw events are still stored.
-- Caches reload in full (purged_seq past every seq handed out).
TRUNCATE "prefix_hour_stats", "baseline_hours", "prefix_baselines", "baseline_as_links";
UPDATE "baseline_state" SET "as_of_hour" = NULL, "as_of_day" = NULL, "hours_pruned_before" = NULL,
    "purged_seq" = (SELECT CASE WHEN is_called THEN last_value + 1 ELSE 0 END FROM "prefix_baselines_seq") WHERE "id" = 1;
