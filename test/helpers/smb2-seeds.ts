/** Real SMB2/3 messages from the corpus, picked by command, for hostile-input tests and benches. */
import * as path from 'node:path';
import { exportPdus, nbssMessages, CAPTURES } from './tshark-messages';
import { newSmb2Header, parseSmb2Header } from '../../dissectors/smb2';

export interface Seed {
  name: string;
  data: Buffer;
}

/** All SMB2/3 NBSS messages (copies) of a capture. */
export function messagesOf(file: string, decodeAs: string[] = []): Buffer[] {
  const ex = exportPdus(path.join(CAPTURES, file), decodeAs);
  try {
    const out: Buffer[] = [];
    for (const f of ex.frames) {
      for (const m of nbssMessages(f.payload)) {
        if (m.type === 0 && m.data.length >= 4 && m.data[1] === 0x53 && m.data[2] === 0x4d && m.data[3] === 0x42) {
          if (m.data[0] === 0xfe || m.data[0] === 0xfd || m.data[0] === 0xfc) out.push(Buffer.from(m.data));
        }
      }
    }
    return out;
  } finally {
    ex.cleanup();
  }
}

/** First message of `msgs` matching command/response/status (and an optional predicate). */
export function pick(
  msgs: Buffer[],
  command: number,
  response: boolean,
  pred: (m: Buffer, status: number) => boolean = () => true,
): Buffer {
  const h = newSmb2Header();
  for (const m of msgs) {
    if (m[0] !== 0xfe || parseSmb2Header(m, 0, h)) continue;
    if (h.command === command && h.isResponse === response && pred(m, h.status)) return m;
  }
  throw new Error(`no message with command ${command} response=${response}`);
}
