/**
 * Field-by-field comparison of the SMB2 dissectors with tshark on the same bytes: for every
 * exported NBSS frame of a capture (see tshark-messages.ts), the values our dissectors give
 * are rendered the way `tshark -T fields` prints them and compared with tshark's lists.
 */
import {
  dialectName,
  forEachSmb2,
  newSmb2Header,
  parseCloseRequest,
  parseCompressionHeader,
  parseCreateRequest,
  parseCreateResponse,
  parseIoctlRequest,
  parseNegotiateRequest,
  parseNegotiateResponse,
  parseReadRequest,
  parseReadResponse,
  parseSessionSetupRequest,
  parseSessionSetupResponse,
  parseSmb2Header,
  parseTransformHeader,
  parseTreeConnectRequest,
  parseTreeConnectResponse,
  parseWriteRequest,
  parseWriteResponse,
  smb2MessageEnd,
} from '../../dissectors/smb2';
import * as C from '../../dissectors/smb2-types';
import type { Smb2Header } from '../../dissectors/smb2-types';
import { exportPdus, nbssMessages, tsharkFields, wholeNbssMessages } from './tshark-messages';

/** Fields carried by every SMB2 header (compared in every frame). */
export const HEADER_FIELDS = [
  'smb2.cmd',
  'smb2.flags.response',
  'smb2.flags.async',
  'smb2.flags.chained',
  'smb2.nt_status',
  'smb2.msg_id',
  'smb2.sesid',
  'smb2.tid',
  'smb2.aid',
  'smb2.chain_offset',
];

/** Body fields, compared in frames whose messages are all of the kinds that carry them. */
export const BODY_FIELDS = [
  'smb2.dialect',
  'smb2.security_blob',
  'smb2.ses_flags.guest',
  'smb2.ses_flags.null',
  'smb2.ses_flags.encrypt',
  'smb2.tree',
  'smb2.share_type',
  'smb2.share_flags',
  'smb2.share_caps',
  'smb2.filename',
  'smb2.create.disposition',
  'smb2.create.action',
  'smb2.fid',
  'smb2.eof',
  'smb2.read_length',
  'smb2.write_length',
  'smb2.write.count',
  'smb2.olb.offset',
  'smb2.olb.length',
  'smb2.file_offset',
  'smb2.data_offset',
  'smb2.ioctl.function',
  'smb2.negotiate_context.type',
  'smb2.negotiate_context.cipher_id',
  'smb2.negotiate_context.hash_algorithm',
  'smb2.negotiate_context.comp_alg_id',
  'smb2.negotiate_context.signing_id',
  'smb2.header.transform.msg_size',
  'smb2.header.transform.nonce',
  'smb2.header.transform.flags',
  'smb2.header.comp_transform.original_size',
  'smb2.header.comp_transform.comp_alg',
];

const hex = (n: number, digits: number) => '0x' + (n >>> 0).toString(16).padStart(digits, '0');
const hex64 = (hi: number, lo: number) => '0x' + (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
const dec64 = (hi: number, lo: number) => (BigInt(hi >>> 0) * 0x100000000n + BigInt(lo >>> 0)).toString();
const bool = (b: boolean) => (b ? '1' : '0');

/** FileId rendered like Wireshark's FT_GUID: u32 LE - u16 LE - u16 LE - 2 bytes - 6 bytes. */
export function guid(b: Buffer): string {
  const h = (s: Buffer) => s.toString('hex');
  const rev = (s: Buffer) => Buffer.from(s).reverse().toString('hex');
  return `${rev(b.subarray(0, 4))}-${rev(b.subarray(4, 6))}-${rev(b.subarray(6, 8))}-${h(b.subarray(8, 10))}-${h(b.subarray(10, 16))}`;
}

export interface FrameValues {
  /** field → values in message order, as tshark prints them */
  fields: Record<string, string[]>;
  /** kinds of the SMB2 messages in the frame, e.g. "3q" (TREE_CONNECT request), "5r" */
  kinds: string[];
  /** typed errors returned by the dissectors for this frame (reason tokens) */
  errors: string[];
  /** number of SMB2/3 (0xFE/0xFD/0xFC) messages */
  messages: number;
}

function push(f: Record<string, string[]>, k: string, v: string): void {
  (f[k] ??= []).push(v);
}

/** Our dissectors' view of one exported frame's payload. */
export function dissectFrame(payload: Buffer): FrameValues {
  const out: FrameValues = { fields: {}, kinds: [], errors: [], messages: 0 };
  const f = out.fields;
  const hdr = newSmb2Header();
  for (const m of nbssMessages(payload)) {
    if (m.type !== 0 || m.data.length < 4) continue;
    const buf = m.data;
    const magic = buf[0];
    if (buf[1] !== 0x53 || buf[2] !== 0x4d || buf[3] !== 0x42) continue;
    if (magic === 0xfd) {
      out.messages++;
      out.kinds.push('transform');
      const t = parseTransformHeader(buf, 0);
      if (!t.ok) {
        out.errors.push(t.reason);
        continue;
      }
      push(f, 'smb2.header.transform.msg_size', String(t.originalMessageSize));
      push(f, 'smb2.header.transform.nonce', t.nonce.toString('hex'));
      push(f, 'smb2.header.transform.flags', hex(t.flags, 4));
      push(f, 'smb2.sesid', hex64(t.sessionIdHi, t.sessionIdLo));
      continue;
    }
    if (magic === 0xfc) {
      out.messages++;
      out.kinds.push('compression');
      const c = parseCompressionHeader(buf, 0);
      if (!c.ok) {
        out.errors.push(c.reason);
        continue;
      }
      push(f, 'smb2.header.comp_transform.original_size', String(c.originalCompressedSegmentSize));
      push(f, 'smb2.header.comp_transform.comp_alg', hex(c.compressionAlgorithm, 4));
      continue;
    }
    if (magic !== 0xfe) continue;
    const err = parseSmb2Header(buf, 0, hdr);
    if (err) {
      out.errors.push(err.reason);
      continue;
    }
    const chainErr = forEachSmb2(buf, hdr, (h) => {
      out.messages++;
      out.kinds.push(h.command + (h.isResponse ? 'r' : 'q'));
      push(f, 'smb2.cmd', String(h.command));
      push(f, 'smb2.flags.response', bool(h.isResponse));
      push(f, 'smb2.flags.async', bool(h.isAsync));
      push(f, 'smb2.flags.chained', bool(h.isRelated));
      if (h.isResponse) push(f, 'smb2.nt_status', hex(h.status, 8));
      push(f, 'smb2.msg_id', dec64(h.messageIdHi, h.messageIdLo));
      push(f, 'smb2.sesid', hex64(h.sessionIdHi, h.sessionIdLo));
      if (h.isAsync) push(f, 'smb2.aid', hex64(h.asyncIdHi, h.asyncIdLo));
      else push(f, 'smb2.tid', hex(h.treeId, 8));
      push(f, 'smb2.chain_offset', hex(h.nextCommand, 8));
      body(buf, h, smb2MessageEnd(buf, h), out);
    });
    if (chainErr) out.errors.push(chainErr.reason);
  }
  return out;
}

function body(buf: Buffer, h: Smb2Header, end: number, out: FrameValues): void {
  const f = out.fields;
  const note = (r: { ok: boolean; reason?: string }) => {
    if (!r.ok && r.reason !== 'error_response') out.errors.push(r.reason!);
    return r.ok;
  };
  switch (h.command + (h.isResponse ? 0x100 : 0)) {
    case C.SMB2_NEGOTIATE: {
      const r = parseNegotiateRequest(buf, h, end);
      if (!note(r) || !r.ok) return;
      for (const d of r.dialects) push(f, 'smb2.dialect', hex(d, 4));
      if (r.contexts) contexts(f, r.contexts);
      return;
    }
    case C.SMB2_NEGOTIATE + 0x100: {
      const r = parseNegotiateResponse(buf, h, end);
      if (!note(r) || !r.ok) return;
      push(f, 'smb2.dialect', hex(r.dialect, 4));
      dialectName(r.dialect);
      if (r.securityBuffer.length) push(f, 'smb2.security_blob', r.securityBuffer.toString('hex'));
      if (r.contexts) contexts(f, r.contexts);
      return;
    }
    case C.SMB2_SESSION_SETUP: {
      const r = parseSessionSetupRequest(buf, h, end);
      if (!note(r) || !r.ok) return;
      if (r.securityBuffer.length) push(f, 'smb2.security_blob', r.securityBuffer.toString('hex'));
      return;
    }
    case C.SMB2_SESSION_SETUP + 0x100: {
      const r = parseSessionSetupResponse(buf, h, end);
      if (!note(r) || !r.ok) return;
      push(f, 'smb2.ses_flags.guest', bool((r.sessionFlags & 1) !== 0));
      push(f, 'smb2.ses_flags.null', bool((r.sessionFlags & 2) !== 0));
      push(f, 'smb2.ses_flags.encrypt', bool((r.sessionFlags & 4) !== 0));
      if (r.securityBuffer.length) push(f, 'smb2.security_blob', r.securityBuffer.toString('hex'));
      return;
    }
    case C.SMB2_TREE_CONNECT: {
      const r = parseTreeConnectRequest(buf, h, end);
      if (!note(r) || !r.ok) return;
      push(f, 'smb2.tree', r.path);
      return;
    }
    case C.SMB2_TREE_CONNECT + 0x100: {
      const r = parseTreeConnectResponse(buf, h, end);
      if (!note(r) || !r.ok) return;
      push(f, 'smb2.share_type', hex(r.shareType, 2));
      push(f, 'smb2.share_flags', hex(r.shareFlags, 8));
      push(f, 'smb2.share_caps', hex(r.capabilities, 8));
      return;
    }
    case C.SMB2_CREATE: {
      const r = parseCreateRequest(buf, h, end);
      if (!note(r) || !r.ok) return;
      if (r.name !== '') push(f, 'smb2.filename', r.name); // tshark shows no field for an empty name
      push(f, 'smb2.create.disposition', String(r.createDisposition));
      return;
    }
    case C.SMB2_CREATE + 0x100: {
      const r = parseCreateResponse(buf, h, end);
      if (!note(r) || !r.ok) return;
      push(f, 'smb2.create.action', String(r.createAction));
      push(f, 'smb2.eof', String(r.endOfFile));
      push(f, 'smb2.fid', guid(r.fileId));
      return;
    }
    case C.SMB2_CLOSE: {
      const r = parseCloseRequest(buf, h, end);
      if (!note(r) || !r.ok) return;
      push(f, 'smb2.fid', guid(r.fileId));
      return;
    }
    case C.SMB2_READ: {
      const r = parseReadRequest(buf, h, end);
      if (!note(r) || !r.ok) return;
      push(f, 'smb2.read_length', String(r.length));
      push(f, 'smb2.file_offset', String(r.offset));
      push(f, 'smb2.fid', guid(r.fileId));
      return;
    }
    case C.SMB2_READ + 0x100: {
      const r = parseReadResponse(buf, h, end);
      if (!note(r) || !r.ok) return;
      // Wireshark shows the READ response data as a generic offset/length blob
      push(f, 'smb2.olb.offset', hex(r.dataOffset, 8));
      push(f, 'smb2.olb.length', String(r.dataLength));
      return;
    }
    case C.SMB2_WRITE: {
      const r = parseWriteRequest(buf, h, end);
      if (!note(r) || !r.ok) return;
      push(f, 'smb2.data_offset', hex(r.dataOffset, 4));
      push(f, 'smb2.write_length', String(r.dataLength));
      push(f, 'smb2.file_offset', String(r.offset));
      push(f, 'smb2.fid', guid(r.fileId));
      return;
    }
    case C.SMB2_WRITE + 0x100: {
      const r = parseWriteResponse(buf, h, end);
      if (!note(r) || !r.ok) return;
      push(f, 'smb2.write.count', String(r.count));
      return;
    }
    case C.SMB2_IOCTL: {
      const r = parseIoctlRequest(buf, h, end);
      if (!note(r) || !r.ok) return;
      push(f, 'smb2.ioctl.function', hex(r.ctlCode, 8));
      push(f, 'smb2.fid', guid(r.fileId));
      return;
    }
    default:
      return;
  }
}

function contexts(f: Record<string, string[]>, c: C.Smb2NegotiateContexts): void {
  for (const t of c.types) push(f, 'smb2.negotiate_context.type', hex(t, 4));
  for (const x of c.preauthHashes) push(f, 'smb2.negotiate_context.hash_algorithm', hex(x, 4));
  for (const x of c.ciphers) push(f, 'smb2.negotiate_context.cipher_id', hex(x, 4));
  for (const x of c.compression) push(f, 'smb2.negotiate_context.comp_alg_id', hex(x, 4));
  for (const x of c.signing) push(f, 'smb2.negotiate_context.signing_id', hex(x, 4));
}

/**
 * Body fields compared only in frames made solely of these message kinds (Wireshark adds some
 * of them as generated fields to other messages too, e.g. the tree name or a FileId's name).
 */
export const FIELD_KINDS: Record<string, string[]> = {
  'smb2.dialect': ['0q', '0r'],
  'smb2.security_blob': ['0r', '1q', '1r'],
  'smb2.ses_flags.guest': ['1r'],
  'smb2.ses_flags.null': ['1r'],
  'smb2.ses_flags.encrypt': ['1r'],
  'smb2.tree': ['3q'],
  'smb2.share_type': ['3r'],
  'smb2.share_flags': ['3r'],
  'smb2.share_caps': ['3r'],
  'smb2.filename': ['5q'],
  'smb2.create.disposition': ['5q'],
  'smb2.create.action': ['5r'],
  'smb2.fid': ['5r', '6q', '8q', '9q', '11q'],
  'smb2.eof': ['5r'],
  'smb2.read_length': ['8q'],
  'smb2.write_length': ['9q'],
  'smb2.write.count': ['9r'],
  'smb2.olb.offset': ['8r'],
  'smb2.olb.length': ['8r'],
  'smb2.file_offset': ['8q', '9q'],
  'smb2.data_offset': ['9q'],
  'smb2.ioctl.function': ['11q'],
  'smb2.negotiate_context.type': ['0q', '0r'],
  'smb2.negotiate_context.cipher_id': ['0q', '0r'],
  'smb2.negotiate_context.hash_algorithm': ['0q', '0r'],
  'smb2.negotiate_context.comp_alg_id': ['0q', '0r'],
  'smb2.negotiate_context.signing_id': ['0q', '0r'],
  'smb2.header.transform.msg_size': ['transform'],
  'smb2.header.transform.nonce': ['transform'],
  'smb2.header.transform.flags': ['transform'],
  'smb2.header.comp_transform.original_size': ['compression'],
  'smb2.header.comp_transform.comp_alg': ['compression'],
};

/** tshark's sesid list with the related-operations rule applied (all-ones inherits). */
function inheritIds(t: Record<string, string[]>): void {
  const ses = t['smb2.sesid'];
  const chained = t['smb2.flags.chained'];
  if (!ses || !chained || ses.length !== chained.length) return;
  for (let i = 1; i < ses.length; i++) {
    if (chained[i] === '1' && ses[i] === '0xffffffffffffffff') ses[i] = ses[i - 1];
  }
}

export interface Mismatch {
  /** message kinds in the frame (see FrameValues.kinds) */
  kinds: string[];
  frame: number;
  origFrame: number;
  field: string;
  ours: string[];
  tshark: string[];
}

export interface CaptureReport {
  frames: number;
  messages: number;
  compared: Record<string, number>;
  mismatches: Mismatch[];
  errors: Record<string, number>;
  /** frames holding a piece of a message that spans frames (not comparable frame by frame) */
  spanning: number;
}

/** a's values appear in b in the same order (b may have more) */
function isSubsequence(a: string[], b: string[]): boolean {
  let j = 0;
  for (const v of a) {
    while (j < b.length && b[j] !== v) j++;
    if (j === b.length) return false;
    j++;
  }
  return true;
}

/** Compare every exported frame of `capture` (both ways: frames only tshark decodes count too). */
export function compareCapture(capture: string, decodeAs: string[] = []): CaptureReport {
  const ex = exportPdus(capture, decodeAs);
  try {
    const rows = tsharkFields(ex.file, [...HEADER_FIELDS, ...BODY_FIELDS], decodeAs);
    const rep: CaptureReport = { frames: 0, messages: 0, compared: {}, mismatches: [], errors: {}, spanning: 0 };
    for (const fr of ex.frames) {
      const ours = dissectFrame(fr.payload);
      const t = rows.get(fr.frame) ?? {};
      if (ours.messages === 0) {
        // both ways: a frame of whole messages that tshark decodes as SMB2/3 and we do not see
        // at all is a mismatch (pieces of a message spanning frames: see wholeNbssMessages)
        if (!wholeNbssMessages(fr.payload)) {
          rep.spanning++;
          continue;
        }
        for (const field of ['smb2.cmd', 'smb2.header.transform.msg_size', 'smb2.header.comp_transform.original_size']) {
          const b = t[field] ?? [];
          if (b.length > 0) rep.mismatches.push({ kinds: [], frame: fr.frame, origFrame: fr.origFrame, field, ours: [], tshark: b });
        }
        continue;
      }
      rep.frames++;
      rep.messages += ours.messages;
      for (const e of ours.errors) rep.errors[e] = (rep.errors[e] ?? 0) + 1;
      inheritIds(t);
      const hasSmb2Header = ours.kinds.some((k) => k !== 'transform' && k !== 'compression');
      const compound = ours.kinds.length > 1 && hasSmb2Header;
      for (const field of [...HEADER_FIELDS, ...BODY_FIELDS]) {
        const kinds = FIELD_KINDS[field];
        const a = ours.fields[field] ?? [];
        // '<MISSING>' is how tshark prints a present but empty bytes field (an empty blob)
        const b = (t[field] ?? []).filter((v) => v !== '<MISSING>');
        if (kinds && !ours.kinds.every((k) => kinds.includes(k))) {
          // a compound mixing kinds: Wireshark shows some body fields on the other messages too
          // (as generated fields: a FileId's name, the tree; or their own: CLOSE and QUERY_INFO
          // responses carry an EndOfFile), so the values need not line up one to one; ours must
          // still all appear among tshark's, in the same order
          if (!compound || !ours.kinds.some((k) => kinds.includes(k))) continue;
          rep.compared[field] = (rep.compared[field] ?? 0) + a.length;
          if (!isSubsequence(a, b)) {
            rep.mismatches.push({ kinds: ours.kinds, frame: fr.frame, origFrame: fr.origFrame, field, ours: a, tshark: b });
          }
          continue;
        }
        if (!kinds && !hasSmb2Header && field !== 'smb2.sesid') continue;
        rep.compared[field] = (rep.compared[field] ?? 0) + a.length;
        if (a.length !== b.length || a.some((v, i) => v !== b[i])) {
          rep.mismatches.push({ kinds: ours.kinds, frame: fr.frame, origFrame: fr.origFrame, field, ours: a, tshark: b });
        }
      }
    }
    return rep;
  } finally {
    ex.cleanup();
  }
}
