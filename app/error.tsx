'use client';

import { useEffect } from 'react';

// Server errors arrive with a generic message and a digest that matches the server log line.
export default function ErrorPage({ error, retry }: { error: unknown; retry: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  const digest = error instanceof Error && 'digest' in error ? String(error.digest) : null;
  return (
    <main className="mx-auto max-w-xl px-6 py-24 text-center">
      <h1 className="text-lg font-semibold">The dashboard could not load</h1>
      <p className="mt-2 text-sm text-ink-dim">
        {error instanceof Error ? error.message : 'Unexpected error.'}
        {digest ? ` (ref ${digest})` : null}
      </p>
      <button
        type="button"
        onClick={() => retry()}
        className="mt-6 rounded border border-panel-edge bg-panel px-4 py-1.5 text-sm hover:border-sky-500"
      >
        Try again
      </button>
    </main>
  );
}
