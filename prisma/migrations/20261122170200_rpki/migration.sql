-- RPKI: the last good VRP set of each source (so validation survives sources being down across
-- restarts), and the worker's route-validity summary for the API.
-- NOTE: the migration runner splits this file at every semicolon: none inside statements or comments.

-- One row per configured source ("rtr:host:port", "url:...", "file:..."): what it last delivered.
CREATE TABLE "rpki_sources" (
    "source_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "serial" BIGINT,
    "session_id" INTEGER,
    "vrp_count" INTEGER NOT NULL DEFAULT 0,
    "aspa_count" INTEGER NOT NULL DEFAULT 0,
    "generated_at" TIMESTAMPTZ(6),
    "loaded_at" TIMESTAMPTZ(6) NOT NULL,
    "last_error" TEXT,
    "last_error_at" TIMESTAMPTZ(6),
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rpki_sources_pkey" PRIMARY KEY ("source_id"),
    CONSTRAINT "rpki_sources_kind_check" CHECK ("kind" IN ('rtr', 'url', 'file'))
);

-- The VRPs of each source. Written in bulk (deltas by key), read whole at start-up and by prefix
-- containment for the validity API (the GiST index serves prefix >>= route).
CREATE TABLE "rpki_vrps" (
    "source_id" TEXT NOT NULL,
    "prefix" CIDR NOT NULL,
    "max_length" SMALLINT NOT NULL,
    "asn" BIGINT NOT NULL,

    CONSTRAINT "rpki_vrps_pkey" PRIMARY KEY ("source_id", "prefix", "max_length", "asn"),
    CONSTRAINT "rpki_vrps_max_length_check" CHECK ("max_length" >= masklen("prefix")),
    CONSTRAINT "rpki_vrps_asn_check" CHECK ("asn" >= 0 AND "asn" <= 4294967295)
);
CREATE INDEX "rpki_vrps_prefix_gist_idx" ON "rpki_vrps" USING gist ("prefix" inet_ops);

-- ASPA records (experimental: the ASPA standards are still drafts).
CREATE TABLE "rpki_aspas" (
    "source_id" TEXT NOT NULL,
    "customer_asn" BIGINT NOT NULL,
    "providers" BIGINT[] NOT NULL,

    CONSTRAINT "rpki_aspas_pkey" PRIMARY KEY ("source_id", "customer_asn")
);

-- Small JSON state documents the worker publishes for the API (key 'route_summary').
CREATE TABLE "rpki_state" (
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rpki_state_pkey" PRIMARY KEY ("key")
);
