/** Real SMB1 messages and security blobs cut out of corpus captures by tshark, for unit and property tests. */
import * as path from 'node:path';
import { CAPTURES, exportPdus, nbssMessages, requireTshark } from './tshark-messages';
import { newSmb1Header, parseSmb1Header, parseSmb1SessionSetupRequest, parseSmb1SessionSetupResponse, walkAndX } from '../../dissectors/smb1';
import type { Smb1Command } from '../../dissectors/smb1-types';
import { forEachSmb2, newSmb2Header, parseNegotiateResponse, parseSessionSetupRequest, parseSessionSetupResponse, parseSmb2Header, smb2MessageEnd } from '../../dissectors/smb2';

export interface Samples {
  /** whole SMB1 messages (from the 0xFF byte) */
  smb1: Buffer[];
  /** SESSION_SETUP / NEGOTIATE security blobs (SMB1 and SMB2) */
  blobs: Buffer[];
}

/** Messages and blobs of the given captures (paths under ../shared/captures). */
export function loadSamples(files: string[]): Samples {
  requireTshark();
  const out: Samples = { smb1: [], blobs: [] };
  const h = newSmb1Header();
  const h2 = newSmb2Header();
  for (const f of files) {
    const ex = exportPdus(path.join(CAPTURES, f));
    try {
      for (const fr of ex.frames) {
        for (const m of nbssMessages(fr.payload)) {
          const buf = Buffer.from(m.data); // own copy: the export file's buffer is dropped
          if (buf.length < 4 || buf[1] !== 0x53) continue;
          if (buf[0] === 0xff && !parseSmb1Header(buf, 0, h)) {
            out.smb1.push(buf);
            const cmds: Smb1Command[] = [];
            walkAndX(buf, h, (c) => cmds.push({ ...c }));
            for (const c of cmds) {
              if (c.command !== 0x73 || (h.isResponse && c.wordCount === 0)) continue;
              const r = h.isResponse ? parseSmb1SessionSetupResponse(buf, h, c) : parseSmb1SessionSetupRequest(buf, h, c);
              if (r.ok && r.securityBlob && r.securityBlob.length) out.blobs.push(r.securityBlob);
            }
          } else if (buf[0] === 0xfe && !parseSmb2Header(buf, 0, h2)) {
            forEachSmb2(buf, h2, (x) => {
              const end = smb2MessageEnd(buf, x);
              const r =
                x.command === 0 && x.isResponse
                  ? parseNegotiateResponse(buf, x, end)
                  : x.command === 1
                    ? x.isResponse
                      ? parseSessionSetupResponse(buf, x, end)
                      : parseSessionSetupRequest(buf, x, end)
                    : null;
              if (r && r.ok && r.securityBuffer.length) out.blobs.push(r.securityBuffer);
            });
          }
        }
      }
    } finally {
      ex.cleanup();
    }
  }
  return out;
}

/**
 * A view of `buf` that records any indexed read outside [0, length) (Buffer indexing returns
 * undefined silently there). Methods run on the real buffer: readUInt* throw RangeError out of
 * bounds, which the no-throw properties catch; toString/subarray clamp.
 */
export function guarded(buf: Buffer, oob: { count: number }): Buffer {
  return new Proxy(buf, {
    get(target, prop) {
      if (typeof prop === 'string' && prop.length > 0 && prop.length < 12 && /^-?\d+$/.test(prop)) {
        const i = Number(prop);
        if (i < 0 || i >= target.length) oob.count++;
        return target[i];
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}
