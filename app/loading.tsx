export default function Loading() {
  return (
    <main className="flex min-h-screen items-center justify-center text-sm text-ink-dim" aria-busy="true">
      Loading routing data…
    </main>
  );
}
