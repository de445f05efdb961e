'use client';

// Replaces the root layout when it fails, so it carries its own document and inline styling
// (globals.css is not applied here).
export default function GlobalError({ error, retry }: { error: unknown; retry: () => void }) {
  const digest = error instanceof Error && 'digest' in error ? String(error.digest) : null;
  return (
    <html lang="en">
      <body style={{ background: '#080b10', color: '#d7dee8', fontFamily: 'system-ui, sans-serif', padding: '6rem 1.5rem', textAlign: 'center' }}>
        <title>BGP Observatory: error</title>
        <h1 style={{ fontSize: '1.1rem' }}>BGP Observatory failed to start this page</h1>
        {digest ? <p style={{ color: '#8593a3', fontSize: '0.85rem' }}>ref {digest}</p> : null}
        <button type="button" onClick={() => retry()} style={{ marginTop: '1.5rem', padding: '0.4rem 1rem', background: '#0f141b', color: '#d7dee8', border: '1px solid #1f2833', borderRadius: 4 }}>
          Try again
        </button>
      </body>
    </html>
  );
}
