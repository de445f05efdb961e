// Totals from vitest's JSON reporter (Jest-compatible shape), for the one-line summary that
// `npm test` and .ci/run end with.

export interface TestTotals {
  passed: number;
  failed: number;
  skipped: number;
}

interface JsonReport {
  numPassedTests?: number;
  numFailedTests?: number;
  numPendingTests?: number;
  numTodoTests?: number;
  testResults?: Array<{ status?: string; name?: string; message?: string; assertionResults?: Array<{ status?: string }> }>;
}

/**
 * A file that failed before any of its tests ran (import error, failing beforeAll) has no
 * failing test, yet the run failed: it counts as one failure so the totals never read clean.
 */
export function totalsFromReport(json: string): TestTotals {
  const report = JSON.parse(json) as JsonReport;
  let failed = report.numFailedTests ?? 0;
  for (const file of report.testResults ?? []) {
    const assertions = file.assertionResults ?? [];
    if (file.status === 'failed' && !assertions.some((a) => a.status === 'failed')) failed += 1;
  }
  return {
    passed: report.numPassedTests ?? 0,
    failed,
    skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
  };
}

export function formatTotals(t: TestTotals): string {
  return `${t.passed} passed, ${t.failed} failed`;
}
