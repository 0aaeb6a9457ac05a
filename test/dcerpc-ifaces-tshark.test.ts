/**
 * The samr / lsarpc / netlogon / srvsvc / drsuapi / spoolss argument decoders on every call of
 * the corpus that reaches them, against tshark's fields for the same call: names, counts,
 * levels, accounts, the zero credential, handles and return codes. Where tshark 4.0 shows no
 * arguments (spoolss RpcAddPrinterDriverEx "unimplemented dissector", NetrServerPasswordSet2 past
 * its server name, srvsvc NDR64), the oracle is a reading of the stub bytes against the MS-* IDL,
 * written out below with the offsets it rests on.
 */
import t, { type Test } from 'tap';
import { tsharkCalls } from './helpers/dcerpc-calls';
import { decodeCalls, type DecodedCall } from './helpers/dcerpc-decode';
import { MS_DECODER_SETS } from '../dissectors/dcerpc/iface/ms-decoders';
import type { Args } from '../dissectors/dcerpc/iface/types';

const CAPTURES = [
  'dcerpc/sv_dcerpc_dcerpc-ctxids.pcap',
  'dcerpc/sv_dcerpc_dcerpc-dce-iface-many.pcap',
  'dcerpc/sv_dcerpc_zerologon.pcap',
  'dcerpc/zeek_20-fids.pcap',
  'dcerpc/zeek_20-fids-no-close.pcap',
  'dcerpc/zeek_cs_window7-join_stream092.pcap',
  'dcerpc/zeek_mapi.pcap',
  'suricata-verify/smb-dce_iface.pcap',
  'suricata-verify/smb2-06.pcap',
  'suricata-verify/smb2-ntlmssp-negotiateflags.pcap',
  'suricata-verify/smb2-ntlmssp-order.pcap',
  'zeek/raw_ntlm_in_smb.pcap',
];

const hex = (s: string | undefined): string | undefined => s?.replace(/:/g, '');
const zero = (s: string | undefined): boolean | undefined => (s === undefined ? undefined : /^(00:?)+$/.test(s));
const num = (s: string | undefined): number | undefined => (s === undefined ? undefined : Number(s));

/**
 * Calls tshark does not decode (or decodes wrong), with what the stub bytes say: frame → args.
 * - smb-dce_iface 31, RpcAddPrinterDriverEx (MS-RPRN 3.1.4.4.8): tshark 4.0 "Unimplemented
 *   dissector: SPOOLSS". Stub: pName unique string; DRIVER_CONTAINER Level 2, discriminant 2,
 *   RPC_DRIVER_INFO_2 { cVersion 3, pName, pEnvironment, pDriverPath, pDataFile, pConfigFile } and
 *   the five strings in that order ("1234", "Windows x64", UNIDRV.DLL, \\ws02…\mimilib.dll,
 *   winhttp.dll) — the CVE-2021-1675 test of Suricata's dce_iface rule.
 * - zerologon 581, NetrServerPasswordSet2 (MS-NRPC 3.5.4.4.5): tshark shows only the server
 *   handle. Stub: PrimaryName \\BAS-AD-01; AccountName "BAS-AD-01$"; SecureChannelType 6;
 *   ComputerName "BAS-AD-01"; Authenticator 8 zero bytes + Timestamp 0; 516 zero bytes of
 *   NL_TRUST_PASSWORD (the Zerologon reset).
 * - smb2-ntlmssp-negotiateflags 874, NetrShareEnum over NDR64 (the bind_ack accepted
 *   71710533-…-b5dbef9ccc36): tshark reads it as NDR and says level 0; the NDR64 bytes after the
 *   ServerName (8-byte referent and counts) hold Level 1, discriminant 1.
 */
const HAND_READ: Record<string, Args> = {
  'suricata-verify/smb-dce_iface.pcap#31': {
    level: 2, driver_name: '1234',
    driver_path: 'C:\\Windows\\System32\\DriverStore\\FileRepository\\ntprint.inf_amd64_18b0d38ddfaee729\\Amd64\\UNIDRV.DLL',
    data_file: '\\\\ws02.cylera.lab\\security\\mimilib.dll', config_file: 'C:\\Windows\\System32\\winhttp.dll',
  },
  'dcerpc/sv_dcerpc_zerologon.pcap#581': { account: 'BAS-AD-01$', computer: 'BAS-AD-01', zero_credential: true, zero_password: true },
  'suricata-verify/smb2-ntlmssp-negotiateflags.pcap#874': { level: 1 },
};

/**
 * Response statuses tshark does not show, read from the stub's last four bytes:
 * - zerologon 584, NetrServerPasswordSet2: ReturnAuthenticator (01edd22d7e4efce8, timestamp 0)
 *   then 00000000 = STATUS_SUCCESS — the reset worked (tshark 4.0 reads the authenticator 4 bytes
 *   late and shows no status);
 * - negotiateflags 877, NetrShareEnum over NDR64 (tshark reads NDR): the stub ends 00000000.
 */
const HAND_READ_STATUS: Record<string, number> = {
  'dcerpc/sv_dcerpc_zerologon.pcap#584': 0,
  'suricata-verify/smb2-ntlmssp-negotiateflags.pcap#877': 0,
};

interface Tally {
  calls: number;
  fields: number;
  hand: number;
  encrypted: number;
}

function compare(t: Test, file: string, d: DecodedCall, tally: Tally): void {
  const c = d.call;
  const where = `${file} frame ${c.frame} ${d.op!.name}`;
  if (d.encrypted) {
    tally.encrypted++;
    return;
  }
  const r = c.pktType === 0 ? d.request : d.response;
  if (!r || !r.ok) {
    t.fail(`${where}: ${r ? r.reason : 'not decoded'}`);
    return;
  }
  tally.calls++;
  const f = (k: string): string | undefined => c.fields.get(k)?.[0];
  const all = (k: string): string[] => c.fields.get(k) ?? [];
  const eq = (ours: unknown, theirs: unknown, what: string): void => {
    t.same(ours, theirs, `${where} ${what}`);
    tally.fields++;
  };
  const hand = HAND_READ[`${file}#${c.frame}`];
  if (hand && c.pktType === 0) {
    t.same(r.args, hand, `${where}: the stub as read by hand`);
    tally.hand++;
    return;
  }
  if (c.pktType === 2 && `${file}#${c.frame}` in HAND_READ_STATUS) {
    t.equal('returnCode' in r ? r.returnCode : undefined, HAND_READ_STATUS[`${file}#${c.frame}`], `${where}: status read by hand`);
    tally.hand++;
    return;
  }
  if (c.pktType === 2) {
    // every response: the status as tshark names it
    const status = f(`${c.layer}.status`) ?? f(`${c.layer}.rc`) ?? f(`${c.layer}.werror`);
    eq('returnCode' in r ? r.returnCode : undefined, num(status), 'return code');
  }
  const a = r.args;
  const h = c.pktType === 0 ? (r as { handle?: string }).handle : (r as { handle?: string }).handle;
  switch (`${c.layer}.${c.opnum}.${c.pktType}`) {
    case 'samr.13.0':
      eq(h, hex(f('samr.domain_handle')), 'domain handle');
      break;
    case 'samr.13.2':
      eq(a.names, all('samr.samr_SamEntry.name'), 'names');
      break;
    case 'samr.17.0':
      eq(a.names, all('samr.samr_LookupNames.names'), 'names');
      eq(h, hex(f('samr.domain_handle')), 'domain handle');
      break;
    case 'lsarpc.44.2':
      eq(h, hex(f('lsarpc.lsa_OpenPolicy2.handle')), 'policy handle');
      break;
    case 'lsarpc.7.0':
      eq(a.level, num(f('lsarpc.lsa_QueryInfoPolicy.level')), 'level');
      eq(h, hex(f('lsarpc.lsa_QueryInfoPolicy.handle')), 'policy handle');
      break;
    case 'lsarpc.7.2':
      eq(a.names, c.fields.has('lsarpc.lsa.string') ? all('lsarpc.lsa.string') : undefined, 'names');
      break;
    case 'lsarpc.14.0':
      eq(a.names, all('lsarpc.lsa.string'), 'names');
      eq(a.count, num(f('lsarpc.lsa_LookupNames.num_names')), 'count');
      break;
    case 'lsarpc.15.0':
      eq(a.count, num(f('lsarpc.lsa_SidArray.num_sids')), 'count');
      break;
    case 'lsarpc.15.2': {
      // tshark lists the referenced domains' names first, then the translated names
      const n = num(f('lsarpc.lsa_TransNameArray.count')) ?? 0;
      eq(a.names, all('lsarpc.lsa.string').slice(-n || Infinity), 'names');
      break;
    }
    case 'netlogon.4.0':
      eq(a.computer, f('netlogon.computer_name'), 'computer');
      eq(a.zero_credential, zero(f('netlogon.clientchallenge')), 'zero client challenge');
      break;
    case 'netlogon.15.0':
    case 'netlogon.26.0':
      eq(a.account, f('netlogon.acct_name'), 'account');
      eq(a.computer, f('netlogon.computer_name'), 'computer');
      eq(a.zero_credential, zero(f('netlogon.clientcred')), 'zero client credential');
      break;
    case 'srvsvc.15.0':
      eq(a.level, num(f('srvsvc.srvsvc_NetShareEnumAll.level')), 'level');
      break;
    case 'srvsvc.16.0':
      eq(a.share, f('srvsvc.srvsvc_NetShareGetInfo.share_name'), 'share');
      eq(a.level, num(f('srvsvc.srvsvc_NetShareGetInfo.level')), 'level');
      break;
    case 'srvsvc.16.2':
      eq(a.path, f('srvsvc.srvsvc_NetShareInfo2.path') ?? f('srvsvc.srvsvc_NetShareInfo502.path'), 'path');
      break;
    default:
      break;
  }
}

t.test('decoded arguments agree with tshark, call by call', async (t) => {
  const tally: Tally = { calls: 0, fields: 0, hand: 0, encrypted: 0 };
  const ops = new Set<string>();
  for (const file of CAPTURES) {
    for (const d of decodeCalls(await tsharkCalls(file), MS_DECODER_SETS)) {
      if (!d.op) continue;
      ops.add(d.op.name);
      compare(t, file, d, tally);
    }
  }
  t.comment(`${tally.calls} decoded requests/responses of ${ops.size} operations; ${tally.fields} fields equal to tshark's, ${tally.hand} read by hand, ${tally.encrypted} sealed (not decoded)`);
  t.equal(tally.hand, Object.keys(HAND_READ).length + Object.keys(HAND_READ_STATUS).length, 'every hand-read call was met');
  t.ok(tally.fields >= 150, 'fields compared');
  t.ok(tally.encrypted >= 4, 'the drsuapi calls of cs_window7-join are sealed (Kerberos privacy) and left alone');
});
