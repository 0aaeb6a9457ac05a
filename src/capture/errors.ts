/**
 * The one error type of the capture room: which input, where in it (byte offset into the
 * decompressed byte stream), and what is wrong. Readers return it as a value; packets before the
 * damage have already been delivered when it is reported.
 */
export class CaptureError extends Error {
  /** the input's name as given (path, or '-' / a label for streams) */
  readonly file: string;
  /** byte offset in the (decompressed) input of the first byte that could not be used */
  readonly offset: number;
  /** the problem without file and offset */
  readonly reason: string;

  constructor(file: string, offset: number, reason: string) {
    super(`${file}: ${reason} at byte offset ${offset}`);
    this.name = 'CaptureError';
    this.file = file;
    this.offset = offset;
    this.reason = reason;
  }
}
