/** src/report: the HTML investigation report, from the contract's NDJSON events only. */
export { ReportBuilder, DEFAULT_LIMITS, type ReportLimits } from './builder';
export { renderReport, pageAssets, ReportBundleMissing } from './html';
export { readEventLogs } from './read';
export type { PageData, RunInfo } from './page-data';
