/**
 * Reviewed differences between sharewatch's pipeline and tshark on lifecycle frames (see
 * test/lifecycle-diff.test.ts): per capture, the count of mismatching frames per field, and why.
 */
export const LIFECYCLE_DIFFERENCES: Record<string, { counts: Record<string, number>; reason: string }> = {};
