// AS path flattening for RIS Live style paths: a list of ASNs where a nested array is an AS_SET
// (e.g. [2497, 6453, 18705, 26281, [13340]]). Pure.

export type RawAsPathElement = number | number[];

export interface FlatAsPath {
  /** Hops in order; AS_SET members inlined in their given order. */
  asPath: number[];
  /** Same length as asPath, true for AS_SET members; null when the path has no AS_SET. */
  asPathSetMask: boolean[] | null;
  /** BGP path length: each sequence hop counts 1 (prepends included), each AS_SET counts 1. */
  asPathLength: number;
  /**
   * Last hop; for a final AS_SET its single member, or null when it has several (the origin is
   * then undetermined, RFC 6811). null for an empty path.
   */
  originAsn: number | null;
}

export function flattenAsPath(path: readonly RawAsPathElement[]): FlatAsPath {
  const asPath: number[] = [];
  let mask: boolean[] | null = null;
  let asPathLength = 0;
  let originAsn: number | null = null;
  for (const hop of path) {
    if (typeof hop === 'number') {
      asPath.push(hop);
      if (mask) mask.push(false);
      originAsn = hop;
      asPathLength++;
      continue;
    }
    // Mask is only allocated on the first AS_SET: almost every real path has none.
    if (!mask) mask = new Array<boolean>(asPath.length).fill(false);
    for (const member of hop) {
      asPath.push(member);
      mask.push(true);
    }
    // An empty AS_SET adds no hop and is not counted (nothing to select on).
    if (hop.length > 0) asPathLength++;
    originAsn = hop.length === 1 ? hop[0]! : null;
  }
  return { asPath, asPathSetMask: mask, asPathLength, originAsn };
}
