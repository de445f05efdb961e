-- Visibility from RIB dumps (lib/db/rib-visibility.ts). NOTE: the migration runner splits this
-- file at every semicolon, so none may appear inside a statement, a string or a comment.

-- rib_snapshots: one row per RIB dump loaded by a backfill (TABLE_DUMP / TABLE_DUMP_V2 file of
-- one collector): when it was taken (event time) and what it held.
CREATE TABLE "rib_snapshots" (
    "id" BIGSERIAL NOT NULL,
    "collector" TEXT NOT NULL,
    "dump_time" TIMESTAMPTZ(6) NOT NULL,
    "file_id" BIGINT,
    "prefixes" INTEGER NOT NULL,
    "peers" INTEGER NOT NULL,
    "routes" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rib_snapshots_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "rib_snapshots_collector_dump_time_key" UNIQUE ("collector", "dump_time")
);

-- prefix_rib_state: per (collector, prefix) the peers that carry the prefix as of event time
-- as_of: the newest RIB dump's peers, then every later update applied (an announcement adds its
-- peer, a withdrawal removes it) as hours are aggregated. peers holds hashtext(peer address),
-- sorted: 4 bytes a peer, a set that only needs membership. Only (collector, prefix) pairs seen
-- in a dump have a row. An empty set is kept (the dump is newer than any route there).
CREATE TABLE "prefix_rib_state" (
    "collector" TEXT NOT NULL,
    "prefix" CIDR NOT NULL,
    "as_of" TIMESTAMPTZ(6) NOT NULL,
    "peers" INTEGER[] NOT NULL,

    CONSTRAINT "prefix_rib_state_pkey" PRIMARY KEY ("collector", "prefix")
);
CREATE INDEX "prefix_rib_state_prefix_idx" ON "prefix_rib_state" ("prefix");
