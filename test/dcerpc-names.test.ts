/**
 * DCE/RPC names (dissectors/dcerpc/names.ts, win32-errors.ts) against the references:
 *  - every (interface UUID, opnum) of every call tshark decodes in the corpus's DCE/RPC captures:
 *    our operation name vs tshark's, equal or equal up to the naming convention (tshark's pidl
 *    dissectors use Samba's IDL names, `lsa_OpenPolicy2`, `EnumDomainUsers`; MS-* IDL names are
 *    `LsarOpenPolicy2`, `SamrEnumerateUsersInDomain`), every other difference reviewed below;
 *  - Zeek's dce_rpc.log baselines: (endpoint, operation) of every logged call;
 *  - Win32 errors, fault statuses and HRESULTs against tshark's value tables.
 */
import t from 'tap';
import * as fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tsharkCalls, DCERPC_CAPTURES, type TsharkCall } from './helpers/dcerpc-calls';
import { corpusFile } from './helpers/corpus';
import { requireTshark } from './helpers/tshark-messages';
import { lookupInterface } from '../dissectors/dcerpc/index';
import { DECODER_SETS } from '../dissectors/dcerpc/iface/all';
import { MS_DECODER_SETS } from '../dissectors/dcerpc/iface/ms-decoders';
import { IDL_CORRECTIONS, INTERFACE_NAMES, UUID, interfaceName, operationNameByUuid } from '../dissectors/dcerpc/names';
import { faultName, faultTable, hresultName, hresultTable, returnCodeName, win32ErrorName, win32ErrorTable } from '../dissectors/dcerpc/win32-errors';

requireTshark();

/** Naming-convention prefixes (MS-* IDL vs Samba IDL / tshark), stripped before comparing. */
const PREFIXES = ['rpc__mgmt_', 'basereg', 'dsroler', 'dsrole', 'lsa_', 'lsar', 'samr', 'netr', 'net', 'rpc', 'ept_', 'drs', 'ds'];

function norm(name: string, uuid: string): string {
  let n = name.toLowerCase();
  if (uuid === UUID.svcctl && n.startsWith('r')) n = n.slice(1); // MS-SCMR: RCreateServiceW
  for (const p of PREFIXES) if (n.startsWith(p)) return n.slice(p.length);
  return n;
}

/**
 * Reviewed differences: `${uuid}:${opnum}` → [tshark's name, why ours differs]. Samba's IDL (which
 * Wireshark's pidl dissectors are generated from) renamed several operations; the opnum and its
 * meaning are the same, the name here is the MS-* IDL one (and Zeek's).
 */
const REVIEWED: Record<string, readonly [string | undefined, string]> = {
  [`${UUID.samr}:1`]: ['Close', 'MS-SAMR 3.1.5.13.1 SamrCloseHandle; Samba IDL samr_Close'],
  [`${UUID.samr}:3`]: ['QuerySecurity', 'MS-SAMR 3.1.5.12.2 SamrQuerySecurityObject'],
  [`${UUID.samr}:5`]: ['LookupDomain', 'MS-SAMR 3.1.5.11.1 SamrLookupDomainInSamServer'],
  [`${UUID.samr}:6`]: ['EnumDomains', 'MS-SAMR 3.1.5.2.1 SamrEnumerateDomainsInSamServer'],
  [`${UUID.samr}:8`]: ['QueryDomainInfo', 'MS-SAMR 3.1.5.5.2 SamrQueryInformationDomain'],
  [`${UUID.samr}:13`]: ['EnumDomainUsers', 'MS-SAMR 3.1.5.2.5 SamrEnumerateUsersInDomain'],
  [`${UUID.samr}:17`]: ['LookupNames', 'MS-SAMR 3.1.5.11.2 SamrLookupNamesInDomain'],
  [`${UUID.samr}:18`]: ['LookupRids', 'MS-SAMR 3.1.5.11.3 SamrLookupIdsInDomain'],
  [`${UUID.samr}:36`]: ['QueryUserInfo', 'MS-SAMR 3.1.5.5.6 SamrQueryInformationUser'],
  [`${UUID.lsarpc}:7`]: ['lsa_QueryInfoPolicy', 'MS-LSAD 3.1.4.4.4 LsarQueryInformationPolicy'],
  [`${UUID.srvsvc}:15`]: ['NetShareEnumAll', 'MS-SRVS 3.1.4.8 NetrShareEnum (Samba: NetShareEnumAll)'],
  [`${UUID.winreg}:2`]: ['OpenHKLM', 'MS-RRP 3.1.5.3 OpenLocalMachine (Samba: OpenHKLM)'],
  [`${UUID.svcctl}:45`]: [undefined, 'MS-SCMR 3.1.4.45 RCreateServiceWOW64W: tshark 4.0 says "Unknown operation 45"'],
  // not in Zeek's table: Zeek would log unknown-<uuid>, so do we (the UUID); tshark knows COM's IProvideClassInfo
  ['b196b283-bab4-101a-b69c-00aa00341d07:3']: ['GetClassInfo', "IProvideClassInfo is not in Zeek's uuid_endpoint_map: interface and operation stay unnamed (UUID, opnum-3)"],
};

interface Tally {
  exact: number;
  convention: number;
  reviewed: Map<string, number>;
  neither: number;
  tsharkNone: number;
}

const calls = new Map<string, TsharkCall[]>();

t.before(async () => {
  // three tshark processes at a time (the machine is shared; the outputs are cached)
  const queue = [...DCERPC_CAPTURES];
  await Promise.all([0, 1, 2].map(async () => {
    for (let f = queue.shift(); f; f = queue.shift()) calls.set(f, await tsharkCalls(f));
  }));
});

t.test('operation names agree with tshark on every call of the corpus', (t) => {
  const tally: Tally = { exact: 0, convention: 0, reviewed: new Map(), neither: 0, tsharkNone: 0 };
  const pairs = new Set<string>();
  let requests = 0;
  let unbound = 0;
  for (const [file, list] of calls) {
    for (const c of list) {
      if (c.pktType !== 0) continue;
      requests++;
      if (!c.uuid) { unbound++; continue; }
      const ours = operationNameByUuid(c.uuid, c.opnum);
      const key = `${c.uuid}:${c.opnum}`;
      pairs.add(key);
      const theirs = c.tsharkOp;
      if (theirs === ours) tally.exact++;
      else if (theirs && norm(theirs, c.uuid) === norm(ours, c.uuid)) tally.convention++;
      else if (REVIEWED[key] && REVIEWED[key][0] === theirs) tally.reviewed.set(key, (tally.reviewed.get(key) ?? 0) + 1);
      else if (!theirs && ours.startsWith('opnum-')) tally.neither++;
      else if (!theirs && !c.layer) tally.tsharkNone++; // tshark did not dissect the stub (sealed, or no dissector): nothing to compare
      else t.fail(`${file} frame ${c.frame}: ${interfaceName(c.uuid)} opnum ${c.opnum}: ours ${ours}, tshark ${theirs ?? '(none)'}`);
    }
  }
  const reviewedCalls = [...tally.reviewed.values()].reduce((a, b) => a + b, 0);
  t.comment(`${requests} requests, ${unbound} without a bind in the capture; ${pairs.size} distinct (uuid, opnum)`);
  t.comment(`exact ${tally.exact}, naming convention ${tally.convention}, reviewed ${reviewedCalls} (${tally.reviewed.size} opnums), unnamed by both ${tally.neither}, not dissected by tshark ${tally.tsharkNone}`);
  t.ok(tally.exact + tally.convention > 300, 'most calls agree outright');
  t.ok(tally.reviewed.has(`${UUID.svcctl}:45`), 'svcctl opnum 45 (WOW64) is in the corpus and named by us');
  t.end();
});

t.test('interfaces: the contract names and the MS-* names under Zeek', (t) => {
  const zeek: Record<string, string> = {
    [UUID.svcctl]: 'svcctl', [UUID.atsvc]: 'atsvc', [UUID.ITaskSchedulerService]: 'ITaskSchedulerService',
    [UUID.winreg]: 'winreg', [UUID.srvsvc]: 'srvsvc', [UUID.wkssvc]: 'wkssvc', [UUID.samr]: 'samr',
    [UUID.lsarpc]: 'lsarpc', [UUID.netlogon]: 'netlogon', [UUID.drsuapi]: 'drsuapi', [UUID.epmapper]: 'epmapper',
    [UUID.spoolss]: 'spoolss', [UUID.efsrpc]: 'efsrpc', [UUID.efsrpcLsarpc]: 'efsrpc2', [UUID.dfsnm]: 'netdfs',
    [UUID.ISystemActivator]: 'IRemoteSCMActivator', [UUID.IOXIDResolver]: 'IObjectExporter',
    [UUID.IRemUnknown]: 'IRemUnknown', [UUID.IRemUnknown2]: 'IRemUnknown2',
    [UUID.IWbemServices]: 'IWbemServices', [UUID.IWbemLevel1Login]: 'IWbemLevel1Login',
  };
  for (const [uuid, name] of Object.entries(zeek)) t.equal(interfaceName(uuid), name, name);
  t.equal(interfaceName('541679AB-2E5F-11D3-B34E-00104BCC4B4A'), 'IWbemLoginHelper interface', 'upper-case UUIDs');
  t.equal(interfaceName('01234567-89ab-cdef-0123-456789abcdef'), '01234567-89ab-cdef-0123-456789abcdef', 'unknown → UUID');
  t.equal(operationNameByUuid(UUID.svcctl, 200), 'opnum-200', 'unknown opnum');
  t.equal(operationNameByUuid('01234567-89ab-cdef-0123-456789abcdef', 3), 'opnum-3');
  t.ok(INTERFACE_NAMES.length >= 220, `${INTERFACE_NAMES.length} interfaces`);
  const uuids = new Set(INTERFACE_NAMES.map((n) => n.uuid));
  t.equal(uuids.size, INTERFACE_NAMES.length, 'each UUID once');
  for (const n of INTERFACE_NAMES) if (n.uuid !== n.uuid.toLowerCase()) t.fail(`${n.uuid} not lower-case`);
  for (const [uuid, opnum, name] of IDL_CORRECTIONS) t.equal(operationNameByUuid(uuid, opnum), name, `correction ${name}`);
  t.end();
});

t.test('the operations the contract names', (t) => {
  const want: Array<[string, number, string]> = [
    [UUID.svcctl, 15, 'ROpenSCManagerW'], [UUID.svcctl, 27, 'ROpenSCManagerA'], [UUID.svcctl, 64, 'ROpenSCManager2'],
    [UUID.svcctl, 12, 'RCreateServiceW'], [UUID.svcctl, 24, 'RCreateServiceA'], [UUID.svcctl, 44, 'RCreateServiceWOW64A'],
    [UUID.svcctl, 45, 'RCreateServiceWOW64W'], [UUID.svcctl, 11, 'RChangeServiceConfigW'], [UUID.svcctl, 23, 'RChangeServiceConfigA'],
    [UUID.svcctl, 16, 'ROpenServiceW'], [UUID.svcctl, 28, 'ROpenServiceA'], [UUID.svcctl, 19, 'RStartServiceW'],
    [UUID.svcctl, 31, 'RStartServiceA'], [UUID.svcctl, 1, 'RControlService'], [UUID.svcctl, 2, 'RDeleteService'],
    [UUID.atsvc, 0, 'NetrJobAdd'], [UUID.atsvc, 1, 'NetrJobDel'], [UUID.atsvc, 2, 'NetrJobEnum'],
    [UUID.ITaskSchedulerService, 1, 'SchRpcRegisterTask'], [UUID.ITaskSchedulerService, 12, 'SchRpcRun'],
    [UUID.ITaskSchedulerService, 13, 'SchRpcDelete'], [UUID.ITaskSchedulerService, 19, 'SchRpcEnableTask'],
    [UUID.winreg, 2, 'OpenLocalMachine'], [UUID.winreg, 1, 'OpenCurrentUser'], [UUID.winreg, 4, 'OpenUsers'],
    [UUID.winreg, 6, 'BaseRegCreateKey'], [UUID.winreg, 15, 'BaseRegOpenKey'], [UUID.winreg, 22, 'BaseRegSetValue'],
    [UUID.winreg, 7, 'BaseRegDeleteKey'], [UUID.winreg, 8, 'BaseRegDeleteValue'], [UUID.winreg, 20, 'BaseRegSaveKey'],
    [UUID.srvsvc, 15, 'NetrShareEnum'], [UUID.srvsvc, 16, 'NetrShareGetInfo'], [UUID.srvsvc, 14, 'NetrShareAdd'],
    [UUID.srvsvc, 18, 'NetrShareDel'], [UUID.srvsvc, 12, 'NetrSessionEnum'], [UUID.srvsvc, 21, 'NetrServerGetInfo'],
    [UUID.wkssvc, 2, 'NetrWkstaUserEnum'],
    [UUID.samr, 50, 'SamrCreateUser2InDomain'], [UUID.samr, 12, 'SamrCreateUserInDomain'], [UUID.samr, 58, 'SamrSetInformationUser2'],
    [UUID.samr, 13, 'SamrEnumerateUsersInDomain'], [UUID.samr, 17, 'SamrLookupNamesInDomain'],
    [UUID.samr, 31, 'SamrAddMemberToAlias'], [UUID.samr, 22, 'SamrAddMemberToGroup'],
    [UUID.lsarpc, 44, 'LsarOpenPolicy2'], [UUID.lsarpc, 15, 'LsarLookupSids'], [UUID.lsarpc, 14, 'LsarLookupNames'],
    [UUID.lsarpc, 7, 'LsarQueryInformationPolicy'],
    [UUID.netlogon, 4, 'NetrServerReqChallenge'], [UUID.netlogon, 15, 'NetrServerAuthenticate2'],
    [UUID.netlogon, 26, 'NetrServerAuthenticate3'], [UUID.netlogon, 30, 'NetrServerPasswordSet2'],
    [UUID.drsuapi, 0, 'DRSBind'], [UUID.drsuapi, 3, 'DRSGetNCChanges'], [UUID.drsuapi, 1, 'DRSUnbind'],
    [UUID.epmapper, 3, 'ept_map'],
    [UUID.efsrpc, 0, 'EfsRpcOpenFileRaw'], [UUID.efsrpc, 4, 'EfsRpcEncryptFileSrv'], [UUID.efsrpc, 5, 'EfsRpcDecryptFileSrv'],
    [UUID.efsrpc, 6, 'EfsRpcQueryUsersOnFile'], [UUID.efsrpcLsarpc, 0, 'EfsRpcOpenFileRaw'], [UUID.efsrpcLsarpc, 5, 'EfsRpcDecryptFileSrv'],
    [UUID.spoolss, 62, 'RpcRemoteFindFirstPrinterChangeNotification'], [UUID.spoolss, 65, 'RpcRemoteFindFirstPrinterChangeNotificationEx'],
    [UUID.spoolss, 89, 'RpcAddPrinterDriverEx'], [UUID.spoolss, 1, 'RpcOpenPrinter'], [UUID.spoolss, 69, 'RpcOpenPrinterEx'],
    [UUID.dfsnm, 12, 'NetrDfsAddStdRoot'], [UUID.dfsnm, 13, 'NetrDfsRemoveStdRoot'],
    [UUID.ISystemActivator, 4, 'RemoteCreateInstance'], [UUID.IRemUnknown2, 3, 'RemQueryInterface'],
    [UUID.IOXIDResolver, 5, 'ServerAlive2'], [UUID.IWbemServices, 24, 'ExecMethod'], [UUID.IWbemServices, 25, 'ExecMethodAsync'],
    [UUID.IWbemLevel1Login, 6, 'NTLMLogin'],
  ];
  for (const [uuid, opnum, name] of want) t.equal(operationNameByUuid(uuid, opnum), name, `${interfaceName(uuid)} ${opnum}`);
  t.end();
});

/**
 * Decoder sets whose own `name` is the MS-DCOM name, not Zeek's: MS-DCOM calls 000001a0-… the
 * ISystemActivator interface, Zeek's endpoint map IRemoteSCMActivator; events carry Zeek's.
 */
const DECODER_NAME_DIFFERS: Record<string, string> = { [UUID.ISystemActivator]: 'ISystemActivator' };

t.test('every argument decoder carries the names and return kind names.ts gives its opnum', (t) => {
  let n = 0;
  for (const set of [...DECODER_SETS, ...MS_DECODER_SETS]) {
    // a decoder set's own name is informative only: the registry names the interface from names.ts
    if (DECODER_NAME_DIFFERS[set.uuid] === set.name) t.comment(`${set.name}: events say ${interfaceName(set.uuid)} (Zeek's name)`);
    else t.equal(set.name, interfaceName(set.uuid), `${set.name}: Zeek's interface name`);
    t.ok(lookupInterface(set.uuid), `${set.name} registered`);
    for (const [opnum, op] of Object.entries(set.ops)) {
      t.equal(op.name, operationNameByUuid(set.uuid, Number(opnum)), `${set.name} ${opnum} ${op.name}`);
      n++;
    }
  }
  t.ok(n >= 60, `${n} decoders`);
  t.end();
});

/** Zeek's DCE_RPC::ignored_operations default (base/protocols/dce-rpc/main.zeek): never logged. */
const ZEEK_IGNORED: Record<string, string[]> = {
  winreg: ['BaseRegCloseKey', 'BaseRegGetVersion', 'BaseRegOpenKey', 'BaseRegQueryValue', 'BaseRegDeleteKeyEx', 'OpenLocalMachine', 'BaseRegEnumKey', 'OpenClassesRoot'],
  spoolss: ['RpcSplOpenPrinter', 'RpcClosePrinter'],
  wkssvc: ['NetrWkstaGetInfo'],
};

t.test("Zeek's dce_rpc.log baselines: (endpoint, operation) of every call", (t) => {
  // [log, trace, TCP only]: Zeek's mapi test loads base/protocols/dce-rpc without SMB, so the
  // trace's lsarpc calls over \\pipe\\lsarpc are not in its log
  const cases: Array<[string, string, boolean]> = [
    ['dcerpc/baselines/dce-rpc.context/dce_rpc.log', 'dcerpc/zeek_cs_window7-join_stream092.pcap', false],
    ['dcerpc/baselines/dce-rpc.mapi/dce_rpc.log', 'dcerpc/zeek_mapi.pcap', true],
    ['dcerpc/baselines/dce-rpc.dce_rpc_netlogon/dce_rpc.log', 'dcerpc/zeek_dce_rpc_netlogon.pcapng', false],
    ['dcerpc/baselines/smb.smb1-transaction-dcerpc/dce_rpc.log', 'zeek/dssetup_DsRoleGetPrimaryDomainInformation_standalone_workstation.cap', false],
  ];
  let rows = 0;
  for (const [log, trace, tcpOnly] of cases) {
    const lines = fs.readFileSync(corpusFile(log), 'utf8').split('\n');
    const fieldsLine = lines.find((l) => l.startsWith('#fields'))!;
    const cols = fieldsLine.split('\t').slice(1);
    const ep = cols.indexOf('endpoint'), op = cols.indexOf('operation');
    const logged = new Set<string>();
    for (const l of lines) {
      if (!l || l.startsWith('#')) continue;
      const c = l.split('\t');
      logged.add(`${c[ep]} ${c[op]}`);
      rows++;
    }
    const ours = new Set<string>();
    for (const c of calls.get(trace) ?? []) {
      if (c.pktType !== 0 || !c.uuid || (tcpOnly && c.overSmb)) continue;
      const name = interfaceName(c.uuid), opName = operationNameByUuid(c.uuid, c.opnum);
      if (ZEEK_IGNORED[name]?.includes(opName)) continue;
      ours.add(`${name} ${opName}`);
    }
    t.same([...ours].sort(), [...logged].sort(), `${log}: ${[...logged].join(', ')}`);
  }
  t.ok(rows >= 15, `${rows} logged calls`);
  t.end();
});

let valueTables: Map<string, Map<number, string>> | undefined;

/** tshark's value strings of the few status fields compared here (one `tshark -G values` run). */
function tsharkValues(field: string): Map<number, string> {
  if (!valueTables) {
    const wanted = new Set(['efs.werror', 'dcerpc.cn_status', 'dcom.hresult']);
    valueTables = new Map([...wanted].map((f) => [f, new Map<number, string>()]));
    const txt = execFileSync('tshark', ['-G', 'values'], { stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 28 }).toString();
    for (const line of txt.split('\n')) {
      if (!line.startsWith('V\t')) continue;
      const c = line.split('\t');
      if (wanted.has(c[1])) valueTables.get(c[1])!.set(Number(c[2]) >>> 0, c[3]);
    }
  }
  return valueTables.get(field)!;
}

t.test('Win32 error names agree with tshark (WERR_ spelling)', (t) => {
  const w = tsharkValues('efs.werror');
  t.ok(w.size > 2000, `tshark knows ${w.size} Win32 errors`);
  const seen = new Set<number>();
  for (const [code, name] of win32ErrorTable()) {
    t.notOk(seen.has(code), `${name} once`);
    seen.add(code);
    // Samba/Wireshark: WERR_OK, WERR_ACCESS_DENIED (ERROR_ dropped), WERR_RPC_S_…, WERR_NERR_USERNOTFOUND
    const expect = code === 0 ? 'WERR_OK' : 'WERR_' + (name.startsWith('ERROR_') ? name.slice(6) : name);
    if (w.get(code)?.toUpperCase() !== expect.toUpperCase()) t.fail(`${code}: ours ${name}, tshark ${w.get(code)}`);
  }
  t.ok(win32ErrorTable().length >= 250, `${win32ErrorTable().length} names`);
  for (const n of ['ERROR_SUCCESS', 'ERROR_ACCESS_DENIED', 'ERROR_SERVICE_EXISTS', 'ERROR_SERVICE_DOES_NOT_EXIST', 'ERROR_INVALID_HANDLE',
    'ERROR_MORE_DATA', 'ERROR_NO_MORE_ITEMS', 'ERROR_FILE_NOT_FOUND', 'ERROR_SERVICE_ALREADY_RUNNING', 'ERROR_SERVICE_MARKED_FOR_DELETE',
    'RPC_S_PROCNUM_OUT_OF_RANGE', 'ERROR_BAD_NETPATH', 'NERR_UserNotFound']) {
    t.ok(win32ErrorTable().some(([, x]) => x === n), n);
  }
  t.equal(win32ErrorName(1073), 'ERROR_SERVICE_EXISTS');
  t.equal(win32ErrorName(0x12345678), '0x12345678', 'unknown → hex');
  t.equal(returnCodeName('ntstatus', 0xc0000022), 'STATUS_ACCESS_DENIED');
  t.equal(returnCodeName('win32', 5), 'ERROR_ACCESS_DENIED');
  t.equal(returnCodeName('hresult', 0x80070005), 'E_ACCESSDENIED');
  t.end();
});

/** C706 appendix E names; Wireshark drops the `_s` of these. */
const TSHARK_DROPS_S = new Set([0x1c000008, 0x1c000009, 0x1c00000b, 0x1c00000c, 0x1c00001c, 0x1c00001d, 0x1c00001f, 0x1c000020,
  0x1c010002, 0x1c010003, 0x1c010006, 0x1c01000b, 0x1c010013, 0x1c010014, 0x1c010017]);

t.test('fault status names agree with tshark (dcerpc.cn_status), C706 spelling', (t) => {
  const w = tsharkValues('dcerpc.cn_status');
  let same = 0, dropped = 0, extra = 0;
  for (const [code, name] of faultTable()) {
    const theirs = w.get(code);
    if (theirs === name) same++;
    else if (TSHARK_DROPS_S.has(code) && theirs === name.replace(/^nca_s_/, 'nca_')) dropped++;
    else if (code === 0x1c000021 && theirs === 'ncs_s_fault_user_defined') dropped++; // Wireshark's typo
    else if (theirs === undefined) extra++; // C706 codes Wireshark lacks (0x1c000012/13, 0x1c010015, ept_s_not_registered)
    else t.fail(`0x${code.toString(16)}: ours ${name}, tshark ${theirs}`);
  }
  t.comment(`fault names: ${same} equal, ${dropped} C706 spelling, ${extra} not in Wireshark`);
  t.ok(extra <= 4);
  t.equal(faultName(0x1c010002), 'nca_s_op_rng_error');
  t.equal(faultName(0x1c010003), 'nca_s_unk_if');
  t.equal(faultName(0x1c01000b), 'nca_s_proto_error');
  t.equal(faultName(5), 'nca_s_fault_access_denied');
  t.equal(faultName(0x6d1), 'RPC_S_PROCNUM_OUT_OF_RANGE', 'a Win32 fault');
  t.equal(faultName(0x80010108), 'RPC_E_DISCONNECTED', 'an HRESULT fault');
  const h = tsharkValues('dcom.hresult');
  for (const [code, name] of hresultTable()) if (h.has(code) && h.get(code) !== name) t.fail(`HRESULT 0x${code.toString(16)}: ours ${name}, tshark ${h.get(code)}`);
  t.equal(hresultName(0x800706d1), 'RPC_S_PROCNUM_OUT_OF_RANGE', 'FACILITY_WIN32');
  t.end();
});

t.test('the corpus faults are named', (t) => {
  let n = 0;
  for (const list of calls.values()) {
    for (const c of list) {
      if (c.pktType !== 3) continue;
      const status = Number(c.fields.get('dcerpc.cn_status')?.[0]);
      t.notMatch(faultName(status), /^0x/, `fault 0x${status.toString(16)} named ${faultName(status)}`);
      n++;
    }
  }
  t.ok(n >= 3, `${n} faults`);
  t.end();
});
