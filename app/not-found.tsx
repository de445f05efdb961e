import Link from 'next/link';

export default function NotFound() {
  return (
    <main className="mx-auto max-w-xl px-6 py-24 text-center">
      <h1 className="text-lg font-semibold">Not found</h1>
      <p className="mt-2 text-sm text-ink-dim">There is nothing at this address.</p>
      <Link href="/" className="mt-6 inline-block text-sm text-sky-400 hover:underline">
        Back to the dashboard
      </Link>
    </main>
  );
}
