/**
 * atsvc — MS-TSCH ATSvc (1ff70682-0a51-30e8-076d-740be8cee98b): the `at` job interface that
 * atexec-style tools and old schedulers use.
 */
import type { IfaceDecoders } from './types';
import { put, req, res } from './common';

export const ATSVC_UUID = '1ff70682-0a51-30e8-076d-740be8cee98b';

/** AT_INFO.JobTime: milliseconds after midnight → `HH:MM:SS`. */
export function jobTime(ms: number): string {
  const s = Math.floor(ms / 1000);
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  return `${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:${String(ss).padStart(2, '0')}`;
}

export const atsvc: IfaceDecoders = {
  uuid: ATSVC_UUID,
  name: 'atsvc',
  returns: 'win32',
  ops: {
    0: {
      name: 'NetrJobAdd',
      returns: 'win32',
      request(r) {
        r.uniqueString16(); // ServerName
        // [in] LPAT_INFO (ref: the struct itself), its Command pointer deferred after it
        if (!r.enter()) return r.err!;
        r.alignStruct();
        const time = r.ptrSizedInt(); // JobTime (DWORD_PTR)
        r.u32(); // DaysOfMonth
        r.u8(); // DaysOfWeek
        r.u8(); // Flags
        const cmd = r.pointer();
        r.leave();
        const args = { job_time: jobTime(time) } as Record<string, string>;
        if (cmd) put(args, 'command', r.string16());
        return req(r, args);
      },
      response(r) {
        r.u32(); // JobId
        return res(r, {});
      },
    },
    1: {
      name: 'NetrJobDel',
      returns: 'win32',
      request(r) {
        r.uniqueString16();
        r.u32(); // MinJobId
        r.u32(); // MaxJobId
        return req(r, {});
      },
    },
    2: { name: 'NetrJobEnum', returns: 'win32' },
    3: { name: 'NetrJobGetInfo', returns: 'win32' },
  },
};
