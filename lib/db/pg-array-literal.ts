// PostgreSQL array literals for per-row array columns. A batch insert passes each column as one
// array parameter, and an array of arrays must be rectangular in PostgreSQL, so each row's
// as_path / communities travels as its literal text ('{1,2,3}') and is cast per row.

export function bigintArrayLiteral(values: readonly number[]): string {
  for (const v of values) if (!Number.isSafeInteger(v)) throw new TypeError(`not an integer: ${v}`);
  return `{${values.join(',')}}`;
}

export function boolArrayLiteral(values: readonly boolean[]): string {
  return `{${values.map((v) => (v ? 't' : 'f')).join(',')}}`;
}

/** Every element quoted, with backslash and double quote escaped (handles commas, braces, NULL). */
export function textArrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}
