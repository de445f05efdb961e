// Errors of the MRT decoder. Pure.

/**
 * The stream cannot be decoded past this point (truncated record, broken framing, decompression
 * failure). Thrown by the reader only after every good record before it was yielded.
 */
export class MrtParseError extends Error {
  override name = 'MrtParseError';
  constructor(
    message: string,
    /** Offset in the decompressed stream of the record header where decoding stopped. */
    readonly byteOffset: number,
    /** Index of that record (= number of complete records before it). */
    readonly recordIndex: number,
  ) {
    super(`${message} (record #${recordIndex} at byte offset ${byteOffset})`);
  }
}

/**
 * Content of one record is invalid while its length framing is intact: the record is skipped
 * (reported through onSkip) and decoding goes on with the next one.
 */
export class MrtRecordError extends Error {
  override name = 'MrtRecordError';
}
