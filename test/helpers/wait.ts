// Polling for integration tests: wait until something becomes true(thy) or fail naming it.

/** Calls `fn` every `intervalMs` until it returns a truthy value (returned), or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  fn: () => T | false | null | undefined | Promise<T | false | null | undefined>,
  timeoutMs = 90_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
