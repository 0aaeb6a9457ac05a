/** What a replay or a live capture tells main when its input is done. */
export interface RunOutcome {
  /** 0 done, 1 runtime failure, 2 unreadable input */
  status: number;
  /** why the input stopped early (printed as the last stderr line), or null */
  stopReason: string | null;
  /** bytes of input read */
  inputBytes: number;
  /** replay: link type → number of files with it */
  linktypes?: Map<number, number>;
}
