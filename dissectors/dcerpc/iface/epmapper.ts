/**
 * epmapper — the endpoint mapper (C706 appendix O / MS-RPCE 2.2.1.2; e1af8308-5d1f-11c9-91a4-
 * 08002b14a0fa). ept_map names the interface a client looks for (floor 1 of the tower it sends)
 * and the answer gives the TCP port (floor 4 of the towers returned): the tracker learns the
 * dynamic ports to watch from it.
 */
import type { NdrReader } from '../ndr';
import { uuidAt } from '../uuid';
import { interfaceName } from '../names';
import type { Args, IfaceDecoders } from './types';
import { req, res } from './common';

export const EPMAPPER_UUID = 'e1af8308-5d1f-11c9-91a4-08002b14a0fa';

const MAX_FLOORS = 16;

export interface TowerInfo {
  /** floor 1: the interface UUID, '' if absent */
  uuid: string;
  /** floor 1 major version */
  version: number;
  /** the TCP (0x07) or UDP (0x08) port of floor 4, -1 if none */
  port: number;
}

/**
 * A tower's octets (twr_t.tower_octet_string): floor count, then per floor lhs and rhs byte counts
 * with their bytes, all little-endian except the port (big-endian). Null when malformed.
 */
export function parseTower(t: Buffer): TowerInfo | null {
  if (t.length < 2) return null;
  const floors = t.readUInt16LE(0);
  if (floors > MAX_FLOORS) return null;
  let p = 2;
  const out: TowerInfo = { uuid: '', version: 0, port: -1 };
  for (let i = 0; i < floors; i++) {
    if (p + 2 > t.length) return null;
    const lhsLen = t.readUInt16LE(p);
    p += 2;
    if (p + lhsLen + 2 > t.length || lhsLen < 1) return null;
    const proto = t[p];
    const lhs = p;
    p += lhsLen;
    const rhsLen = t.readUInt16LE(p);
    p += 2;
    if (p + rhsLen > t.length) return null;
    if (i === 0 && proto === 0x0d && lhsLen >= 19) {
      out.uuid = uuidAt(t, lhs + 1, false);
      out.version = t.readUInt16LE(lhs + 17);
    } else if ((proto === 0x07 || proto === 0x08) && rhsLen >= 2 && out.port < 0) {
      out.port = t.readUInt16BE(p);
    }
    p += rhsLen;
  }
  return out;
}

/** twr_t (a conformant struct): max_count, tower_length, octets. */
function tower(r: NdrReader): Buffer | null {
  const max = r.count();
  const len = r.u32();
  if (r.err) return null;
  if (len > max) {
    r.fail('ndr-array-bounds');
    return null;
  }
  return r.bytes(len);
}

export const epmapper: IfaceDecoders = {
  uuid: EPMAPPER_UUID,
  name: 'epmapper',
  returns: 'win32',
  ops: {
    0: { name: 'ept_insert', returns: 'win32' },
    1: { name: 'ept_delete', returns: 'win32' },
    2: { name: 'ept_lookup', returns: 'win32' },
    3: {
      name: 'ept_map',
      returns: 'win32',
      request(r) {
        if (r.fullPointer() > 0) r.uuid(); // object
        const args: Args = {};
        if (r.fullPointer() > 0) {
          const t = tower(r);
          const info = t && parseTower(t);
          if (info && info.uuid) args.interface_asked = interfaceName(info.uuid);
        }
        r.contextHandle(); // entry_handle
        r.u32(); // max_towers
        return req(r, args);
      },
      response(r) {
        r.contextHandle(); // entry_handle
        const num = r.u32();
        // towers: [ptr, size_is(max_towers), length_is(*num_towers)] twr_p_t[]
        const max = r.count();
        const n = r.varying(max, r.ptrSize);
        if (!r.err && n !== num) r.fail('ndr-array-bounds');
        let present = 0;
        for (let i = 0; i < n && !r.err; i++) if (r.fullPointer() > 0) present++;
        const args: Args = {};
        for (let i = 0; i < present && !r.err; i++) {
          const t = tower(r);
          const info = t && parseTower(t);
          if (info && info.port >= 0 && args.port === undefined) args.port = info.port;
        }
        return res(r, args);
      },
    },
    4: { name: 'ept_lookup_handle_free', returns: 'win32' },
    5: { name: 'ept_inq_object', returns: 'win32' },
    6: { name: 'ept_mgmt_delete', returns: 'win32' },
  },
};
