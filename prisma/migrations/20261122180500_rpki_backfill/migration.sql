-- RPKI verdicts of backfilled (historic) routes. Historic routes never enter the live route table
-- (that table is the currently announced routes), so their validation is recorded here instead:
-- verdict counts per committed batch of a backfill file, keyed by the batch's first record, so a
-- resumed file overwrites the batches it redoes and the per-file and per-run sums stay exact.
-- NOTE: the migration runner splits this file at every semicolon: none inside statements or comments.

CREATE TABLE "rpki_backfill_batches" (
    "file_id" BIGINT NOT NULL,
    "run_id" BIGINT NOT NULL,
    "records_from" BIGINT NOT NULL,
    "records_to" BIGINT NOT NULL,
    "valid" INTEGER NOT NULL DEFAULT 0,
    "invalid_asn" INTEGER NOT NULL DEFAULT 0,
    "invalid_length" INTEGER NOT NULL DEFAULT 0,
    "not_found" INTEGER NOT NULL DEFAULT 0,
    "vrp_count" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rpki_backfill_batches_pkey" PRIMARY KEY ("file_id", "records_from"),
    CONSTRAINT "rpki_backfill_batches_file_fkey" FOREIGN KEY ("file_id") REFERENCES "backfill_files" ("id") ON DELETE CASCADE
);
CREATE INDEX "rpki_backfill_batches_run_idx" ON "rpki_backfill_batches" ("run_id");
