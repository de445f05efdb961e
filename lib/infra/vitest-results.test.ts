import { describe, expect, it } from 'vitest';
import { formatTotals, totalsFromReport } from '@/lib/infra/vitest-results';

describe('totalsFromReport', () => {
  it('reads passed, failed and skipped (pending + todo) counts', () => {
    const json = JSON.stringify({
      numPassedTests: 12,
      numFailedTests: 2,
      numPendingTests: 3,
      numTodoTests: 1,
      testResults: [{ status: 'failed', assertionResults: [{ status: 'failed' }, { status: 'passed' }] }],
    });
    expect(totalsFromReport(json)).toEqual({ passed: 12, failed: 2, skipped: 4 });
  });

  it('counts a file that failed without a failing test (import error) as one failure', () => {
    const json = JSON.stringify({
      numPassedTests: 5,
      numFailedTests: 0,
      testResults: [
        { status: 'failed', message: 'Cannot find module', assertionResults: [] },
        { status: 'passed', assertionResults: [{ status: 'passed' }] },
      ],
    });
    expect(totalsFromReport(json)).toEqual({ passed: 5, failed: 1, skipped: 0 });
  });

  it('rejects text that is not JSON', () => {
    expect(() => totalsFromReport('not json')).toThrow();
  });
});

describe('formatTotals', () => {
  it('prints the exact summary line', () => {
    expect(formatTotals({ passed: 7, failed: 0, skipped: 2 })).toBe('7 passed, 0 failed');
  });
});
