/**
 * lsarpc — MS-LSAD / MS-LSAT Local Security Authority (12345778-1234-abcd-ef00-0123456789ab).
 * SID ↔ name lookups (lookupsid.py brute-forces RIDs with LsarLookupSids) and policy queries
 * (the domain's name and SID). Every operation returns an NTSTATUS.
 */
import type { NdrReader } from '../ndr';
import type { Args, IfaceDecoders } from './types';
import { handleResponse, req, res } from './common';
import { MAX_LIST, fits, resTail, sid, unicodeStrings } from './ms-ndr';

export const LSARPC_UUID = '12345778-1234-abcd-ef00-0123456789ab';

/** LSAPR_REFERENCED_DOMAIN_LIST behind a unique pointer: domain names and SIDs, read and dropped. */
function referencedDomains(r: NdrReader): void {
  if (!r.pointer()) return;
  r.u32(); // Entries
  const domains = r.pointer();
  r.u32(); // MaxEntries
  if (!domains) return;
  const n = r.count();
  if (!fits(r, n, 12)) return;
  // LSAPR_TRUST_INFORMATION { RPC_UNICODE_STRING Name; PRPC_SID Sid }: headers, then per element
  // the name's buffer and the SID (deferred referents in pointer order)
  const lens: number[] = [], names: number[] = [], sids: number[] = [];
  for (let i = 0; i < n && !r.err; i++) {
    lens.push(r.rpcUnicodeStringHeader());
    names.push(r.lastPointer);
    sids.push(r.pointer());
  }
  for (let i = 0; i < lens.length && !r.err; i++) {
    if (names[i]) r.rpcUnicodeStringBody(lens[i]!);
    if (sids[i]) sid(r);
  }
}

/** POLICY_INFORMATION_CLASS values whose arm starts with names: [class, how many RPC_UNICODE_STRINGs]. */
const NAMED_POLICY: Record<number, number> = {
  3: 1, // PolicyPrimaryDomainInformation { Name; Sid }
  5: 1, // PolicyAccountDomainInformation { DomainName; DomainSid }
  12: 3, // PolicyDnsDomainInformation { Name; DnsDomainName; DnsForestName; DomainGuid; Sid }
};

function queryInfoPolicy(name: string): IfaceDecoders['ops'][number] {
  return {
    name,
    returns: 'ntstatus',
    request(r) {
      const handle = r.contextHandle();
      const level = r.u16(); // POLICY_INFORMATION_CLASS
      return req(r, { level }, handle);
    },
    response(r) {
      const args: Args = {};
      if (r.pointer()) {
        const level = r.u16(); // the union's discriminant
        const strings = NAMED_POLICY[level];
        if (strings) {
          const lens: number[] = [], ptrs: number[] = [];
          for (let i = 0; i < strings; i++) {
            lens.push(r.rpcUnicodeStringHeader());
            ptrs.push(r.lastPointer);
          }
          if (level === 12) r.uuid(); // DomainGuid
          r.pointer(); // Sid (its referent follows the names)
          const names: string[] = [];
          for (let i = 0; i < strings && !r.err; i++) if (ptrs[i]) names.push(r.rpcUnicodeStringBody(lens[i]!));
          if (names.length) args.names = names;
        }
      }
      // other classes' arms are not decoded: the status is the stub's last word
      return resTail(r, args);
    },
  };
}

export const lsarpc: IfaceDecoders = {
  uuid: LSARPC_UUID,
  name: 'lsarpc',
  returns: 'ntstatus',
  ops: {
    44: {
      name: 'LsarOpenPolicy2',
      returns: 'ntstatus',
      opens: 'policy',
      request(r) {
        r.uniqueString16(); // SystemName
        // LSAPR_OBJECT_ATTRIBUTES: Length, RootDirectory, ObjectName, Attributes, SecurityDescriptor, SQOS
        r.alignStruct();
        r.u32();
        const root = r.pointer();
        const objName = r.pointer();
        r.u32();
        const sd = r.pointer();
        const qos = r.pointer();
        if (root || objName || sd) r.fail('ndr-unexpected-pointer'); // MS-LSAD 3.1.4.4.1: must be NULL
        if (qos) {
          r.u32(); // Length
          r.u16(); // ImpersonationLevel
          r.u8(); // ContextTrackingMode
          r.u8(); // EffectiveOnly
        }
        r.u32(); // DesiredAccess
        return req(r, {});
      },
      response: handleResponse,
    },
    7: queryInfoPolicy('LsarQueryInformationPolicy'),
    46: queryInfoPolicy('LsarQueryInformationPolicy2'),
    14: {
      name: 'LsarLookupNames',
      returns: 'ntstatus',
      request(r) {
        const handle = r.contextHandle();
        const count = r.u32();
        // [size_is(Count)] PRPC_UNICODE_STRING Names: a conformant array of structs
        const n = r.count();
        if (!r.err && n !== count) r.fail('ndr-count-mismatch');
        const args: Args = { count };
        if (fits(r, n, 8)) args.names = unicodeStrings(r, n);
        return req(r, args, handle);
      },
    },
    15: {
      name: 'LsarLookupSids',
      returns: 'ntstatus',
      request(r) {
        const handle = r.contextHandle();
        // LSAPR_SID_ENUM_BUFFER { Entries; [size_is(Entries)] PLSAPR_SID_INFORMATION SidInfo }
        r.alignStruct();
        const entries = r.u32();
        return req(r, { count: entries }, handle);
      },
      response(r) {
        referencedDomains(r);
        // LSAPR_TRANSLATED_NAMES { Entries; [size_is(Entries)] LSAPR_TRANSLATED_NAME* Names }
        const args: Args = {};
        r.alignStruct();
        r.u32();
        if (r.pointer()) {
          const n = r.count();
          // LSAPR_TRANSLATED_NAME { SID_NAME_USE Use (u16); RPC_UNICODE_STRING Name; LONG DomainIndex }
          if (fits(r, n, 16)) {
            const lens: number[] = [], ptrs: number[] = [];
            for (let i = 0; i < n && !r.err; i++) {
              r.u16();
              lens.push(r.rpcUnicodeStringHeader());
              ptrs.push(r.lastPointer);
              r.u32();
            }
            const names: string[] = [];
            for (let i = 0; i < lens.length && !r.err; i++) {
              if (!ptrs[i]) continue;
              const s = r.rpcUnicodeStringBody(lens[i]!);
              if (names.length < MAX_LIST) names.push(s);
            }
            args.names = names;
          }
        }
        r.u32(); // MappedCount
        return res(r, args);
      },
    },
  },
};
