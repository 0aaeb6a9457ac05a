/** Where the tracker hands what it produces (set up by the pipeline). */
import type { InternalRecord, LifecycleRecord } from '../shared/records';

export type RecordSink = (rec: LifecycleRecord) => void;
/** internal records (smb_files.log, ntlm.log of TCP binds), apart from the lifecycle records and NDJSON events */
export type FileSink = (rec: InternalRecord) => void;
/** capture time moved forward (numbers, not a Timestamp: called once per packet) */
export type TimeSink = (sec: number, nsec: number) => void;
