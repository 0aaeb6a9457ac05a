/**
 * Field-by-field comparison of the SMB1 and authentication dissectors with tshark on the same
 * bytes (the NBSS PDUs tshark itself reassembles and exports, see tshark-messages.ts). SMB1:
 * header of every message, AndX chain commands, lifecycle body fields. Auth: every security
 * blob of SMB1 SESSION_SETUP_ANDX and SMB2 NEGOTIATE/SESSION_SETUP, parsed by parseSecurityBlob.
 */
import {
  newSmb1Header,
  isAndX,
  parseSmb1Close,
  parseSmb1Header,
  parseSmb1NegotiateRequest,
  parseSmb1NegotiateResponse,
  parseSmb1NtCreateRequest,
  parseSmb1NtCreateResponse,
  parseSmb1ReadResponse,
  parseSmb1SessionSetupRequest,
  parseSmb1SessionSetupResponse,
  parseSmb1TreeConnectRequest,
  parseSmb1TreeConnectResponse,
  parseSmb1WriteRequest,
  walkAndX,
} from '../../dissectors/smb1';
import type { Smb1Command, Smb1Header } from '../../dissectors/smb1-types';
import {
  forEachSmb2,
  newSmb2Header,
  parseNegotiateResponse,
  parseSessionSetupRequest,
  parseSessionSetupResponse,
  parseSmb2Header,
  smb2MessageEnd,
} from '../../dissectors/smb2';
import { parseSecurityBlob } from '../../dissectors/auth';
import { OID_IAKERB } from '../../dissectors/spnego';
import { exportPdus, nbssMessages, tsharkFields, wholeNbssMessages } from './tshark-messages';

export const SMB1_HEADER_FIELDS = ['smb.cmd', 'smb.flags.response', 'smb.nt_status', 'smb.error_class', 'smb.error_code', 'smb.uid', 'smb.tid'];

/**
 * Body fields: the SMB1 commands (request 'q' / response 'r') whose frames may carry them, and
 * how to compare: 'all' lists must be equal; 'last' our single value is tshark's last (tshark
 * first prints path/file names it remembers for the TID/FID, then the one in the message);
 * 'in' each of our values occurs in tshark's list (FIDs also appear as remembered values).
 */
export const SMB1_BODY_FIELDS: Record<string, { kinds: string[]; mode: 'all' | 'last' | 'in' }> = {
  'smb.dialect': { kinds: ['72q'], mode: 'all' },
  'smb.dialect.index': { kinds: ['72r'], mode: 'all' },
  'smb.server_cap': { kinds: ['72r'], mode: 'all' },
  'smb.security_blob_len': { kinds: ['73q', '73r'], mode: 'all' },
  'smb.account': { kinds: ['73q'], mode: 'all' },
  'smb.primary_domain': { kinds: ['73q'], mode: 'all' },
  'smb.native_os': { kinds: ['73q'], mode: 'all' },
  'smb.setup.action': { kinds: ['73r'], mode: 'all' },
  'smb.path': { kinds: ['75q'], mode: 'last' },
  'smb.service': { kinds: ['75q', '75r'], mode: 'all' },
  'smb.file': { kinds: ['a2q'], mode: 'last' },
  'smb.access_mask': { kinds: ['a2q'], mode: 'all' },
  'smb.create.disposition': { kinds: ['a2q'], mode: 'all' },
  'smb.create_options': { kinds: ['a2q'], mode: 'all' },
  'smb.create.action': { kinds: ['a2r'], mode: 'all' },
  'smb.fid': { kinds: ['a2r', '2fq', '4q'], mode: 'in' },
  'smb.offset': { kinds: ['2fq'], mode: 'all' },
  'smb.offset_high': { kinds: ['2fq'], mode: 'all' },
  'smb.data_len_low': { kinds: ['2fq', '2er'], mode: 'all' },
  'smb.data_len_high': { kinds: ['2fq', '2er'], mode: 'all' },
  'smb.data_offset': { kinds: ['2fq', '2er'], mode: 'all' },
};

/** Auth fields, compared in frames whose SMB messages are all NEGOTIATE/SESSION_SETUP ones. */
export const AUTH_FIELDS = [
  'ntlmssp.messagetype',
  'ntlmssp.auth.username',
  'ntlmssp.auth.domain',
  'ntlmssp.auth.hostname',
  'ntlmssp.challenge.target_name',
  'spnego.MechType',
  'spnego.negResult',
  'spnego.supportedMech',
  'kerberos.msg_type',
  'kerberos.realm',
  'kerberos.SNameString',
  'kerberos.CNameString',
];

/** DER encoding of the IAKERB OID as the GSS token framing carries it */
const IAKERB_GSS_OID = Buffer.from('06062b0601050205', 'hex');

const STRING_FIELDS = new Set([
  'smb.dialect',
  'smb.account',
  'smb.primary_domain',
  'smb.native_os',
  'smb.path',
  'smb.service',
  'smb.file',
  'ntlmssp.auth.username',
  'ntlmssp.auth.domain',
  'ntlmssp.auth.hostname',
  'ntlmssp.challenge.target_name',
]);

const hex = (n: number, digits: number) => '0x' + (n >>> 0).toString(16).padStart(digits, '0');

export interface Smb1FrameValues {
  fields: Record<string, string[]>;
  /** SMB1 command kinds in the frame ("73q", "75r", ...) */
  kinds: string[];
  /** true when every SMB message of the frame is a NEGOTIATE or SESSION_SETUP (SMB1 or SMB2) */
  authOnly: boolean;
  errors: string[];
  smb1Messages: number;
  blobs: number;
  /** the exported payload ends with an incomplete NBSS message (which we do not dissect) */
  trailingPartial: boolean;
  /** a blob of the frame negotiates IAKERB (Apple LKDC) */
  iakerb: boolean;
}

function push(f: Record<string, string[]>, k: string, v: string): void {
  (f[k] ??= []).push(v);
}

/** Our dissectors' view of one exported frame's payload. */
export function dissectFrameSmb1(payload: Buffer): Smb1FrameValues {
  const out: Smb1FrameValues = { fields: {}, kinds: [], authOnly: true, errors: [], smb1Messages: 0, blobs: 0, trailingPartial: false, iakerb: false };
  let used = 0;
  for (const m of nbssMessages(payload)) used += 4 + m.data.length;
  out.trailingPartial = used < payload.length;
  const h = newSmb1Header();
  const h2 = newSmb2Header();
  for (const m of nbssMessages(payload)) {
    if (m.type !== 0 || m.data.length < 4) continue;
    const buf = m.data;
    if (buf[1] !== 0x53 || buf[2] !== 0x4d || buf[3] !== 0x42) continue;
    if (buf[0] === 0xff) smb1(buf, h, out);
    else if (buf[0] === 0xfe) smb2(buf, h2, out);
    else out.authOnly = false;
  }
  return out;
}

function smb1(buf: Buffer, h: Smb1Header, out: Smb1FrameValues): void {
  const f = out.fields;
  const err = parseSmb1Header(buf, 0, h);
  if (err) {
    out.errors.push(err.reason);
    return;
  }
  out.smb1Messages++;
  push(f, 'smb.cmd', hex(h.command, 2));
  push(f, 'smb.flags.response', h.isResponse ? '1' : '0');
  if (h.ntStatus) push(f, 'smb.nt_status', hex(h.status, 8));
  else {
    push(f, 'smb.error_class', hex(h.dosClass, 2));
    push(f, 'smb.error_code', hex(h.dosCode, 4));
  }
  push(f, 'smb.uid', String(h.uid));
  push(f, 'smb.tid', String(h.tid));
  if (h.command !== 0x72 && h.command !== 0x73) out.authOnly = false;
  const cmds: Smb1Command[] = [];
  const chainErr = walkAndX(buf, h, (c) => {
    cmds.push({ ...c });
    // tshark lists each AndX block's AndXCommand as another smb.cmd
    if (isAndX(c.command) && c.wordCount >= 2) push(f, 'smb.cmd', hex(buf[c.paramsOffset], 2));
  });
  if (chainErr) out.errors.push(chainErr.reason);
  for (const c of cmds) {
    const kind = c.command.toString(16) + (h.isResponse ? 'r' : 'q');
    out.kinds.push(kind);
    body(buf, h, c, kind, out);
  }
}

function blob(b: Buffer | null, out: Smb1FrameValues): void {
  if (!b || b.length === 0) return;
  out.blobs++;
  const f = out.fields;
  const r = parseSecurityBlob(b);
  if (!r.ok) {
    out.errors.push('auth:' + r.reason);
    return;
  }
  if (r.mechTypes[0] === OID_IAKERB || r.supportedMech === OID_IAKERB || b.includes(IAKERB_GSS_OID)) out.iakerb = true;
  for (const m of r.mechTypes) push(f, 'spnego.MechType', m);
  if (r.negState >= 0) push(f, 'spnego.negResult', String(r.negState));
  if (r.supportedMech) push(f, 'spnego.supportedMech', r.supportedMech);
  const n = r.ntlmssp;
  if (n) {
    push(f, 'ntlmssp.messagetype', hex(n.type, 8));
    if (n.type === 3) {
      push(f, 'ntlmssp.auth.username', n.user ?? '');
      push(f, 'ntlmssp.auth.domain', n.domain ?? '');
      push(f, 'ntlmssp.auth.hostname', n.workstation ?? '');
    }
    if (n.type === 2) push(f, 'ntlmssp.challenge.target_name', n.targetName ?? '');
  }
  const k = r.kerberos;
  if (k) {
    push(f, 'kerberos.msg_type', String(k.msgType));
    if (k.realm !== null) push(f, 'kerberos.realm', k.realm);
    if (k.sname !== null) push(f, 'kerberos.SNameString', k.sname);
    if (k.cname !== null) push(f, 'kerberos.CNameString', k.cname);
  }
}

function body(buf: Buffer, h: Smb1Header, c: Smb1Command, kind: string, out: Smb1FrameValues): void {
  const f = out.fields;
  const note = (r: { ok: boolean; reason?: string }) => {
    if (!r.ok) out.errors.push(r.reason!);
    return r.ok;
  };
  // error responses carry no parameter words: nothing to parse
  if (h.isResponse && c.wordCount === 0) return;
  switch (kind) {
    case '72q': {
      const r = parseSmb1NegotiateRequest(buf, h, c);
      if (note(r) && r.ok) for (const d of r.dialects) push(f, 'smb.dialect', d);
      return;
    }
    case '72r': {
      const r = parseSmb1NegotiateResponse(buf, h, c);
      if (!note(r) || !r.ok) return;
      push(f, 'smb.dialect.index', String(r.dialectIndex));
      if (c.wordCount >= 17) push(f, 'smb.server_cap', hex(r.capabilities, 8));
      return;
    }
    case '73q': {
      const r = parseSmb1SessionSetupRequest(buf, h, c);
      if (!note(r) || !r.ok) return;
      if (r.securityBlob) {
        push(f, 'smb.security_blob_len', String(r.securityBlob.length));
        blob(r.securityBlob, out);
      }
      if (r.account !== null) push(f, 'smb.account', r.account);
      if (r.domain !== null) push(f, 'smb.primary_domain', r.domain);
      if (r.nativeOs !== null) push(f, 'smb.native_os', r.nativeOs);
      return;
    }
    case '73r': {
      const r = parseSmb1SessionSetupResponse(buf, h, c);
      if (!note(r) || !r.ok) return;
      push(f, 'smb.setup.action', hex(r.action, 4));
      if (r.securityBlob) {
        push(f, 'smb.security_blob_len', String(r.securityBlob.length));
        blob(r.securityBlob, out);
      }
      return;
    }
    case '75q': {
      const r = parseSmb1TreeConnectRequest(buf, h, c);
      if (!note(r) || !r.ok) return;
      push(f, 'smb.path', r.path);
      push(f, 'smb.service', r.service);
      return;
    }
    case '75r': {
      const r = parseSmb1TreeConnectResponse(buf, h, c);
      if (note(r) && r.ok) push(f, 'smb.service', r.service);
      return;
    }
    case 'a2q': {
      const r = parseSmb1NtCreateRequest(buf, h, c);
      if (!note(r) || !r.ok) return;
      push(f, 'smb.file', r.name);
      push(f, 'smb.access_mask', hex(r.desiredAccess, 8));
      push(f, 'smb.create.disposition', String(r.createDisposition));
      push(f, 'smb.create_options', hex(r.createOptions, 8));
      return;
    }
    case 'a2r': {
      const r = parseSmb1NtCreateResponse(buf, h, c);
      if (!note(r) || !r.ok) return;
      push(f, 'smb.fid', hex(r.fid, 4));
      push(f, 'smb.create.action', String(r.createAction));
      return;
    }
    case '2fq': {
      const r = parseSmb1WriteRequest(buf, h, c);
      if (!note(r) || !r.ok) return;
      push(f, 'smb.fid', hex(r.fid, 4));
      push(f, 'smb.offset', String(r.offset % 0x100000000));
      if (c.wordCount === 14) push(f, 'smb.offset_high', String(Math.floor(r.offset / 0x100000000)));
      push(f, 'smb.data_len_low', String(r.dataLength & 0xffff));
      push(f, 'smb.data_len_high', String(Math.floor(r.dataLength / 0x10000)));
      push(f, 'smb.data_offset', String(r.dataOffset));
      return;
    }
    case '2er': {
      const r = parseSmb1ReadResponse(buf, h, c);
      if (!note(r) || !r.ok) return;
      push(f, 'smb.data_len_low', String(r.dataLength & 0xffff));
      push(f, 'smb.data_offset', String(r.dataOffset));
      push(f, 'smb.data_len_high', String(Math.floor(r.dataLength / 0x10000)));
      return;
    }
    case '4q': {
      const r = parseSmb1Close(buf, h, c);
      if (note(r) && r.ok) push(f, 'smb.fid', hex(r.fid, 4));
      return;
    }
    default:
      return;
  }
}

function smb2(buf: Buffer, h: ReturnType<typeof newSmb2Header>, out: Smb1FrameValues): void {
  if (parseSmb2Header(buf, 0, h)) return;
  forEachSmb2(buf, h, (m) => {
    if (m.command !== 0 && m.command !== 1) {
      out.authOnly = false;
      return;
    }
    const end = smb2MessageEnd(buf, m);
    if (m.command === 0) {
      if (!m.isResponse) return;
      const r = parseNegotiateResponse(buf, m, end);
      if (r.ok) blob(r.securityBuffer, out);
      return;
    }
    const r = m.isResponse ? parseSessionSetupResponse(buf, m, end) : parseSessionSetupRequest(buf, m, end);
    if (r.ok) blob(r.securityBuffer, out);
  });
}

export interface Mismatch {
  /** the frame ends with an incomplete NBSS message */
  trailingPartial: boolean;
  /** tshark shows no SMB header field at all in the frame */
  tsharkNoSmb: boolean;
  /** the frame's security blob negotiates IAKERB */
  iakerb: boolean;
  /** typed errors our dissectors returned in the frame */
  errors: string[];
  frame: number;
  origFrame: number;
  kinds: string[];
  field: string;
  ours: string[];
  tshark: string[];
}

export interface Smb1CaptureReport {
  frames: number;
  smb1Messages: number;
  blobs: number;
  compared: Record<string, number>;
  mismatches: Mismatch[];
  errors: Record<string, number>;
}

/** tshark prints an empty NTLMSSP string as "NULL", Kerberos name components one by one. */
function tsharkAuthValues(field: string, v: string[]): string[] {
  if (field.startsWith('ntlmssp.')) return v.map((s) => (s === 'NULL' ? '' : s));
  return v;
}

export function compareCaptureSmb1(capture: string, decodeAs: string[] = []): Smb1CaptureReport {
  const ex = exportPdus(capture, decodeAs);
  try {
    const all = [...SMB1_HEADER_FIELDS, ...Object.keys(SMB1_BODY_FIELDS), ...AUTH_FIELDS];
    const rows = tsharkFields(ex.file, all, decodeAs);
    const rep: Smb1CaptureReport = { frames: 0, smb1Messages: 0, blobs: 0, compared: {}, mismatches: [], errors: {} };
    for (const fr of ex.frames) {
      const ours = dissectFrameSmb1(fr.payload);
      if (ours.smb1Messages === 0 && ours.blobs === 0) {
        // both ways: a frame of whole messages that tshark decodes as SMB1 and we do not see at
        // all is a mismatch (pieces of a message spanning frames: see wholeNbssMessages)
        if (!wholeNbssMessages(fr.payload)) continue;
        const b = (rows.get(fr.frame) ?? {})['smb.cmd'] ?? [];
        if (b.length > 0) {
          rep.mismatches.push({ trailingPartial: false, tsharkNoSmb: false, iakerb: false, errors: ours.errors, frame: fr.frame, origFrame: fr.origFrame, kinds: [], field: 'smb.cmd', ours: [], tshark: b });
        }
        continue;
      }
      rep.frames++;
      rep.smb1Messages += ours.smb1Messages;
      rep.blobs += ours.blobs;
      for (const e of ours.errors) rep.errors[e] = (rep.errors[e] ?? 0) + 1;
      const t = rows.get(fr.frame) ?? {};
      const tsharkNoSmb = (t['smb.cmd'] ?? []).length === 0 && AUTH_FIELDS.every((k) => (t[k] ?? []).length === 0);
      const check = (field: string, a: string[], b: string[], mode: 'all' | 'last' | 'in') => {
        if (STRING_FIELDS.has(field)) {
          // tshark -T fields prints a lone empty string as nothing: compare the non-empty ones
          a = a.filter((v) => v !== '');
          b = b.filter((v) => v !== '');
        }
        rep.compared[field] = (rep.compared[field] ?? 0) + a.length;
        let same: boolean;
        if (mode === 'all') same = a.length === b.length && a.every((v, i) => v === b[i]);
        else if (mode === 'last') same = a.length === 0 ? true : a.length === 1 && b.length > 0 && b[b.length - 1] === a[0];
        else same = a.every((v) => b.includes(v));
        if (!same) rep.mismatches.push({ trailingPartial: ours.trailingPartial, tsharkNoSmb, iakerb: ours.iakerb, errors: ours.errors, frame: fr.frame, origFrame: fr.origFrame, kinds: ours.kinds, field, ours: a, tshark: b });
      };
      if (ours.smb1Messages > 0) {
        for (const field of SMB1_HEADER_FIELDS) check(field, ours.fields[field] ?? [], t[field] ?? [], 'all');
        for (const [field, spec] of Object.entries(SMB1_BODY_FIELDS)) {
          // only frames whose commands are all of the kinds carrying the field
          if (!ours.kinds.every((k) => spec.kinds.includes(k))) continue;
          check(field, ours.fields[field] ?? [], t[field] ?? [], spec.mode);
        }
      }
      if (ours.blobs > 0 && ours.authOnly) {
        for (const field of AUTH_FIELDS) {
          let a = ours.fields[field] ?? [];
          const b = tsharkAuthValues(field, t[field] ?? []);
          if (field === 'kerberos.SNameString' || field === 'kerberos.CNameString') {
            // tshark lists components; ours are joined: compare the components
            a = a.flatMap((s) => s.split('/'));
          }
          check(field, a, b, 'all');
        }
      }
    }
    return rep;
  } finally {
    ex.cleanup();
  }
}
