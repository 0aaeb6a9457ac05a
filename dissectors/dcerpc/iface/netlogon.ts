/**
 * netlogon — MS-NRPC Netlogon Remote Protocol (12345678-1234-abcd-ef00-01234567cffb).
 * The secure-channel set-up calls that Zerologon (CVE-2020-1472) abuses: a client challenge and
 * credential of all zeros, repeated until the server accepts, then NetrServerPasswordSet2 with an
 * all-zero authenticator (and, in the exploit, an all-zero new password). NTSTATUS returns.
 */
import type { NdrReader } from '../ndr';
import type { Args, IfaceDecoders, OpDecoder } from './types';
import { req } from './common';

export const NETLOGON_UUID = '12345678-1234-abcd-ef00-01234567cffb';

/** NL_TRUST_PASSWORD: WCHAR Buffer[256] then ULONG Length. */
const TRUST_PASSWORD_BYTES = 516;

function allZero(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return b.length > 0;
}

/** PrimaryName ([unique, string] LOGONSRV_HANDLE); the server's name is not an argument we emit. */
function primaryName(r: NdrReader): void {
  r.uniqueString16();
}

/** AccountName, SecureChannelType, ComputerName: the part Authenticate2/3 and PasswordSet2 share. */
function accountAndComputer(r: NdrReader, args: Args): void {
  args.account = r.string16(); // [in, string] wchar_t* (ref)
  r.u16(); // NETLOGON_SECURE_CHANNEL_TYPE
  args.computer = r.string16();
}

function authenticate(name: string): OpDecoder {
  return {
    name,
    returns: 'ntstatus',
    request(r) {
      primaryName(r);
      const args: Args = {};
      accountAndComputer(r, args);
      args.zero_credential = allZero(r.bytes(8)); // ClientCredential
      r.u32(); // NegotiateFlags
      return req(r, args);
    },
  };
}

export const netlogon: IfaceDecoders = {
  uuid: NETLOGON_UUID,
  name: 'netlogon',
  returns: 'ntstatus',
  ops: {
    4: {
      name: 'NetrServerReqChallenge',
      returns: 'ntstatus',
      request(r) {
        primaryName(r);
        const args: Args = { computer: r.string16() };
        args.zero_credential = allZero(r.bytes(8)); // ClientChallenge
        return req(r, args);
      },
    },
    15: authenticate('NetrServerAuthenticate2'),
    26: authenticate('NetrServerAuthenticate3'),
    30: {
      name: 'NetrServerPasswordSet2',
      returns: 'ntstatus',
      request(r) {
        primaryName(r);
        const args: Args = {};
        accountAndComputer(r, args);
        // NETLOGON_AUTHENTICATOR { NETLOGON_CREDENTIAL Credential; DWORD Timestamp }
        r.align(4);
        args.zero_credential = allZero(r.bytes(8));
        r.u32();
        // NL_TRUST_PASSWORD, encrypted with the session key: all zeros is the Zerologon reset
        args.zero_password = allZero(r.bytes(TRUST_PASSWORD_BYTES));
        return req(r, args);
      },
    },
  },
};
