/**
 * samr — MS-SAMR Security Account Manager Remote Protocol (12345778-1234-abcd-ef00-0123456789ac).
 * Account creation and group membership changes (SW-0011), user enumeration and name lookups
 * (samrdump.py, `net user /domain`). Every operation returns an NTSTATUS.
 *
 * Handles: SamrCreateUser(2)InDomain returns a user handle naming `account`; SamrOpenGroup /
 * SamrOpenAlias return a handle naming the group by `group_rid` (544 = Administrators), so a
 * later SamrSetInformationUser2 / SamrAddMemberTo* says which account or group it changes.
 */
import type { NdrReader } from '../ndr';
import type { Args, IfaceDecoders, OpDecoder } from './types';
import { put, req, res } from './common';
import { fits, sid, unicodeStrings } from './ms-ndr';

export const SAMR_UUID = '12345778-1234-abcd-ef00-0123456789ac';

/** A top-level [in] PRPC_UNICODE_STRING (ref: the struct, then its buffer). */
function name(r: NdrReader): string | null {
  return r.rpcUnicodeString();
}

function createUser(opname: string, v2: boolean): OpDecoder {
  return {
    name: opname,
    returns: 'ntstatus',
    opens: 'other',
    request(r) {
      const handle = r.contextHandle(); // DomainHandle
      const args: Args = {};
      put(args, 'account', name(r));
      if (v2) r.u32(); // AccountType
      r.u32(); // DesiredAccess
      return req(r, args, handle);
    },
    response(r) {
      const h = r.contextHandle(); // UserHandle
      if (v2) r.u32(); // GrantedAccess
      r.u32(); // RelativeId
      return res(r, {}, h);
    },
  };
}

function openByRid(opname: string): OpDecoder {
  return {
    name: opname,
    returns: 'ntstatus',
    opens: 'other',
    request(r) {
      const handle = r.contextHandle(); // DomainHandle
      r.u32(); // DesiredAccess
      const rid = r.u32();
      return req(r, { group_rid: rid }, handle);
    },
    response(r) {
      const h = r.contextHandle();
      return res(r, {}, h);
    },
  };
}

export const samr: IfaceDecoders = {
  uuid: SAMR_UUID,
  name: 'samr',
  returns: 'ntstatus',
  ops: {
    12: createUser('SamrCreateUserInDomain', false),
    50: createUser('SamrCreateUser2InDomain', true),
    13: {
      name: 'SamrEnumerateUsersInDomain',
      returns: 'ntstatus',
      request(r) {
        const handle = r.contextHandle();
        r.u32(); // EnumerationContext
        r.u32(); // UserAccountControl
        r.u32(); // PreferedMaximumLength
        return req(r, {}, handle);
      },
      response(r) {
        r.u32(); // EnumerationContext
        const args: Args = {};
        if (r.pointer()) {
          // SAMPR_ENUMERATION_BUFFER { EntriesRead; [unique, size_is(EntriesRead)] SAMPR_RID_ENUMERATION* }
          r.u32();
          if (r.pointer()) {
            const n = r.count();
            if (fits(r, n, 12)) args.names = unicodeStrings(r, n, 1);
          }
        }
        r.u32(); // CountReturned
        return res(r, args);
      },
    },
    17: {
      name: 'SamrLookupNamesInDomain',
      returns: 'ntstatus',
      request(r) {
        const handle = r.contextHandle();
        const count = r.u32();
        // [size_is(1000), length_is(Count)] RPC_UNICODE_STRING Names[*]
        const max = r.count();
        const n = r.varying(max, 8);
        if (!r.err && n !== count) r.fail('ndr-count-mismatch');
        const args: Args = {};
        if (fits(r, n, 8)) args.names = unicodeStrings(r, n);
        return req(r, args, handle);
      },
    },
    19: openByRid('SamrOpenGroup'),
    27: openByRid('SamrOpenAlias'),
    22: {
      name: 'SamrAddMemberToGroup',
      returns: 'ntstatus',
      request(r) {
        const handle = r.contextHandle(); // GroupHandle
        const rid = r.u32(); // MemberId
        r.u32(); // Attributes
        return req(r, { member_rid: rid }, handle);
      },
    },
    31: {
      name: 'SamrAddMemberToAlias',
      returns: 'ntstatus',
      request(r) {
        const handle = r.contextHandle(); // AliasHandle
        const member = sid(r); // [in] PRPC_SID MemberId (ref)
        return req(r, { member_sid: member }, handle);
      },
    },
    58: {
      name: 'SamrSetInformationUser2',
      returns: 'ntstatus',
      request(r) {
        // the account is the one behind UserHandle; the buffer (passwords, flags) is not decoded
        const handle = r.contextHandle();
        const level = r.u16(); // USER_INFORMATION_CLASS
        return req(r, { level }, handle);
      },
    },
  },
};

