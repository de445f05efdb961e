// Preloaded (node --require) into the Prisma CLI by scripts/migrate.ts. Prisma 6's WASM schema
// engine leaves a ~10 s timer pending after `migrate deploy` has finished, which keeps the process
// alive. Unref'ing long timers lets the CLI exit as soon as its real work is done; short timers
// (retries, pool idle timeouts) are untouched.
'use strict';
const LONG_TIMER_MS = 5000;
const originalSetTimeout = globalThis.setTimeout;
globalThis.setTimeout = function setTimeoutUnrefLong(fn, ms, ...args) {
  const t = originalSetTimeout(fn, ms, ...args);
  if (typeof ms === 'number' && ms >= LONG_TIMER_MS && t && typeof t.unref === 'function') t.unref();
  return t;
};
