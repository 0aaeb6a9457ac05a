#!/usr/bin/python3
"""
Reference request stubs marshalled by impacket (python3-impacket, an independent NDR
implementation used by psexec/atexec/reg.py) through the same h* helpers those tools call, with
the arguments each call carried: the oracle for calls the corpus lacks or tshark cannot decode
(task scheduler, winreg create/set/save, svcctl change/start). Prints JSON lines.
"""
import json
from impacket.dcerpc.v5 import scmr, rrp, tsch, atsvc
from impacket.dcerpc.v5.dtypes import NULL
from impacket.uuid import uuidtup_to_bin

NDR64_SYNTAX = uuidtup_to_bin(('71710533-BEBA-4937-8319-B5DBEF9CCC36', '1.0'))

H = bytes(range(1, 21))  # an input context handle
out = []


class Capture:
    def __init__(self, iface, expect):
        self.iface, self.expect = iface, expect

    def request(self, req, *a, **k):
        ndr20 = req.getData().hex()
        # the same call in NDR64, as impacket's transport re-marshals it after an NDR64 bind
        req.changeTransferSyntax(NDR64_SYNTAX)
        out.append({'iface': self.iface, 'opnum': req.opnum, 'op': req.__class__.__name__,
                    'stub': ndr20, 'stub64': req.getData().hex(), 'handle': self.expect.pop('_handle', None),
                    'args': self.expect})


def call(iface, expect, fn, *args, **kw):
    fn(Capture(iface, expect), *args, **kw)


SVC = 'svcctl'
BIN = '%COMSPEC% /Q /c echo whoami ^> \\\\127.0.0.1\\C$\\__output 2^>^&1 > %TEMP%\\execute.bat & %COMSPEC% /Q /c %TEMP%\\execute.bat & del %TEMP%\\execute.bat'
call(SVC, {'_handle': H.hex(), 'service_name': 'BTOBTO', 'display_name': 'BTOBTO', 'binary_path': BIN,
           'service_type': 'win32_own_process', 'start_type': 'demand'},
     scmr.hRCreateServiceW, H, 'BTOBTO', 'BTOBTO', lpBinaryPathName=BIN, dwStartType=scmr.SERVICE_DEMAND_START)
call(SVC, {'_handle': H.hex(), 'service_name': 'evil', 'display_name': 'Evil', 'binary_path': 'C:\\x.exe',
           'service_type': 'win32_own_process|interactive_process', 'start_type': 'auto', 'account': 'LocalSystem'},
     scmr.hRCreateServiceW, H, 'evil', 'Evil', lpBinaryPathName='C:\\x.exe',
     dwServiceType=scmr.SERVICE_WIN32_OWN_PROCESS | scmr.SERVICE_INTERACTIVE_PROCESS,
     dwStartType=scmr.SERVICE_AUTO_START, lpServiceStartName='LocalSystem')
call(SVC, {'_handle': H.hex(), 'binary_path': 'C:\\Windows\\Temp\\b.exe', 'start_type': 'disabled', 'display_name': 'Changed'},
     scmr.hRChangeServiceConfigW, H, dwStartType=scmr.SERVICE_DISABLED, lpBinaryPathName='C:\\Windows\\Temp\\b.exe',
     lpDisplayName='Changed')
call(SVC, {'_handle': H.hex(), 'service_name': 'RemoteRegistry'}, scmr.hROpenServiceW, H, 'RemoteRegistry')
call(SVC, {'_handle': H.hex(), 'arguments': 'one two'}, scmr.hRStartServiceW, H, 2, ['one', 'two'])
call(SVC, {'_handle': H.hex()}, scmr.hRStartServiceW, H)
call(SVC, {'_handle': H.hex()}, scmr.hRDeleteService, H)
call(SVC, {}, scmr.hROpenSCManagerW, 'DC1')

# The ANSI and later svcctl variants impacket does not define: their IDL (MS-SCMR 3.1.4.23-.26,
# .28, .41, .49, .50) transcribed into impacket NDRCALLs, so impacket's NDR engine lays out the bytes.
from impacket.dcerpc.v5.ndr import NDRCALL, NDRSTRUCT, NDRUniConformantArray, NDRPOINTER
from impacket.dcerpc.v5.dtypes import DWORD, LPDWORD, LPBYTE, LPSTR, STR, LPWSTR, WSTR, USHORT


class RCreateServiceA(NDRCALL):
    opnum = 24
    structure = (('hSCManager', scmr.SC_RPC_HANDLE), ('lpServiceName', STR), ('lpDisplayName', LPSTR),
                 ('dwDesiredAccess', DWORD), ('dwServiceType', DWORD), ('dwStartType', DWORD), ('dwErrorControl', DWORD),
                 ('lpBinaryPathName', STR), ('lpLoadOrderGroup', LPSTR), ('lpdwTagId', LPDWORD), ('lpDependencies', LPBYTE),
                 ('dwDependSize', DWORD), ('lpServiceStartName', LPSTR), ('lpPassword', LPBYTE), ('dwPwSize', DWORD))


class RCreateServiceWOW64A(RCreateServiceA):
    opnum = 44


class RCreateWowService(NDRCALL):
    opnum = 60
    structure = scmr.RCreateServiceW.structure + (('dwServiceWowType', USHORT),)


class ROpenServiceA(NDRCALL):
    opnum = 28
    structure = (('hSCManager', scmr.SC_RPC_HANDLE), ('lpServiceName', STR), ('dwDesiredAccess', DWORD))


class ROpenSCManagerA(NDRCALL):
    opnum = 27
    structure = (('lpMachineName', LPSTR), ('lpDatabaseName', LPSTR), ('dwDesiredAccess', DWORD))


class ROpenSCManager2(NDRCALL):
    opnum = 64
    structure = (('lpDatabaseName', LPWSTR), ('dwDesiredAccess', DWORD))


class RChangeServiceConfigA(NDRCALL):
    opnum = 23
    structure = (('hService', scmr.SC_RPC_HANDLE), ('dwServiceType', DWORD), ('dwStartType', DWORD), ('dwErrorControl', DWORD),
                 ('lpBinaryPathName', LPSTR), ('lpLoadOrderGroup', LPSTR), ('lpdwTagId', LPDWORD), ('lpDependencies', LPBYTE),
                 ('dwDependSize', DWORD), ('lpServiceStartName', LPSTR), ('lpPassword', LPBYTE), ('dwPwSize', DWORD),
                 ('lpDisplayName', LPSTR))


class STRING_PTRSA(NDRSTRUCT):
    structure = (('Data', NDRUniConformantArray),)

    def __init__(self, data=None, isNDR64=False):
        NDRSTRUCT.__init__(self, None, isNDR64)
        self.fields['Data'].item = LPSTR
        if data is not None:
            self.fromString(data)


class UNIQUE_STRING_PTRSA(NDRPOINTER):
    referent = (('Data', STRING_PTRSA),)


class RStartServiceA(NDRCALL):
    opnum = 31
    structure = (('hService', scmr.SC_RPC_HANDLE), ('argc', DWORD), ('argv', UNIQUE_STRING_PTRSA))


def direct(iface, req, handle, args):
    out.append({'iface': iface, 'opnum': req.opnum, 'op': req.__class__.__name__, 'stub': req.getData().hex(),
                'handle': handle, 'args': args})


for cls in (RCreateServiceA, RCreateServiceWOW64A):
    q = cls()
    q['hSCManager'] = H
    q['lpServiceName'] = 'ansisvc\x00'
    q['lpDisplayName'] = 'ANSI service\x00'
    q['dwDesiredAccess'] = 0xf01ff
    q['dwServiceType'] = 0x10
    q['dwStartType'] = 4
    q['lpBinaryPathName'] = 'C:\\Windows\\ansi.exe -x\x00'
    q['lpLoadOrderGroup'] = NULL
    q['lpdwTagId'] = NULL
    q['lpDependencies'] = NULL
    q['lpServiceStartName'] = '.\\admin\x00'
    q['lpPassword'] = NULL
    direct(SVC, q, H.hex(), {'service_name': 'ansisvc', 'display_name': 'ANSI service', 'service_type': 'win32_own_process',
                             'start_type': 'disabled', 'binary_path': 'C:\\Windows\\ansi.exe -x', 'account': '.\\admin'})
q = RCreateWowService()
for k, v in (('hSCManager', H), ('lpServiceName', 'wow\x00'), ('lpDisplayName', NULL), ('dwDesiredAccess', 0xf01ff),
             ('dwServiceType', 0x10), ('dwStartType', 3), ('dwErrorControl', 1), ('lpBinaryPathName', 'C:\\wow.exe\x00'),
             ('lpLoadOrderGroup', NULL), ('lpdwTagId', NULL), ('lpDependencies', NULL), ('lpServiceStartName', NULL),
             ('lpPassword', NULL), ('dwServiceWowType', 0x14c)):
    q[k] = v
direct(SVC, q, H.hex(), {'service_name': 'wow', 'service_type': 'win32_own_process', 'start_type': 'demand', 'binary_path': 'C:\\wow.exe'})
q = ROpenServiceA(); q['hSCManager'] = H; q['lpServiceName'] = 'Spooler\x00'; q['dwDesiredAccess'] = 0x10
direct(SVC, q, H.hex(), {'service_name': 'Spooler'})
q = ROpenSCManagerA(); q['lpMachineName'] = 'DC1\x00'; q['lpDatabaseName'] = 'ServicesActive\x00'; q['dwDesiredAccess'] = 0xf003f
direct(SVC, q, None, {})
q = ROpenSCManager2(); q['lpDatabaseName'] = 'ServicesActive\x00'; q['dwDesiredAccess'] = 0xf003f
direct(SVC, q, None, {})
q = RChangeServiceConfigA()
for k, v in (('hService', H), ('dwServiceType', 0xffffffff), ('dwStartType', 2), ('dwErrorControl', 0xffffffff),
             ('lpBinaryPathName', 'cmd.exe /c calc\x00'), ('lpLoadOrderGroup', NULL), ('lpdwTagId', NULL), ('lpDependencies', NULL),
             ('lpServiceStartName', 'LocalSystem\x00'), ('lpPassword', NULL), ('lpDisplayName', NULL)):
    q[k] = v
direct(SVC, q, H.hex(), {'start_type': 'auto', 'binary_path': 'cmd.exe /c calc', 'account': 'LocalSystem'})
q = RStartServiceA(); q['hService'] = H; q['argc'] = 2
for a in ('-k', 'netsvcs'):
    x = LPSTR(); x['Data'] = a + '\x00'; q['argv'].append(x)
direct(SVC, q, H.hex(), {'arguments': '-k netsvcs'})

REG = 'winreg'
HK = rrp.RPC_HKEY(H)  # the same 20 bytes as a winreg key handle
call(REG, {'key': 'HKLM'}, rrp.hOpenLocalMachine)
call(REG, {'key': 'HKU'}, rrp.hOpenUsers)
call(REG, {'key': 'HKCU'}, rrp.hOpenCurrentUser)
call(REG, {'_handle': HK.getData().hex(), 'key': 'SYSTEM\\CurrentControlSet\\Services\\evil'}, rrp.hBaseRegCreateKey, HK,
     'SYSTEM\\CurrentControlSet\\Services\\evil')
call(REG, {'_handle': HK.getData().hex(), 'key': 'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run'}, rrp.hBaseRegOpenKey, HK,
     'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run')
call(REG, {'_handle': HK.getData().hex(), 'value_name': 'Updater', 'value_type': 'REG_SZ', 'value_data': 'C:\\Users\\Public\\u.exe -q'},
     rrp.hBaseRegSetValue, HK, 'Updater', rrp.REG_SZ, 'C:\\Users\\Public\\u.exe -q')
call(REG, {'_handle': HK.getData().hex(), 'value_name': 'ImagePath', 'value_type': 'REG_EXPAND_SZ', 'value_data': '%SystemRoot%\\evil.exe'},
     rrp.hBaseRegSetValue, HK, 'ImagePath', rrp.REG_EXPAND_SZ, '%SystemRoot%\\evil.exe')
call(REG, {'_handle': HK.getData().hex(), 'value_name': 'Start', 'value_type': 'REG_DWORD', 'value_data': 2},
     rrp.hBaseRegSetValue, HK, 'Start', rrp.REG_DWORD, 2)
call(REG, {'_handle': HK.getData().hex(), 'value_name': 'Big', 'value_type': 'REG_QWORD', 'value_data': 4294967301},
     rrp.hBaseRegSetValue, HK, 'Big', rrp.REG_QWORD, 4294967301)
call(REG, {'_handle': HK.getData().hex(), 'value_name': 'Blob', 'value_type': 'REG_BINARY', 'value_data': 'deadbeef'},
     rrp.hBaseRegSetValue, HK, 'Blob', rrp.REG_BINARY, b'\xde\xad\xbe\xef')
call(REG, {'_handle': HK.getData().hex(), 'value_name': 'Updater'}, rrp.hBaseRegDeleteValue, HK, 'Updater')
call(REG, {'_handle': HK.getData().hex(), 'key': 'SYSTEM\\CurrentControlSet\\Services\\evil'}, rrp.hBaseRegDeleteKey, HK,
     'SYSTEM\\CurrentControlSet\\Services\\evil')
call(REG, {'_handle': HK.getData().hex(), 'file': 'C:\\Windows\\Temp\\sam.save'}, rrp.hBaseRegSaveKey, HK, 'C:\\Windows\\Temp\\sam.save')

TS = 'ITaskSchedulerService'
# the task definition atexec.py registers (its template, with a command of our own)
XML = """<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <Triggers>
    <CalendarTrigger>
      <StartBoundary>2015-07-15T20:35:13.2757294</StartBoundary>
      <Enabled>true</Enabled>
      <ScheduleByDay>
        <DaysInterval>1</DaysInterval>
      </ScheduleByDay>
    </CalendarTrigger>
  </Triggers>
  <Principals>
    <Principal id="LocalSystem">
      <UserId>S-1-5-18</UserId>
      <RunLevel>HighestAvailable</RunLevel>
    </Principal>
  </Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <Hidden>true</Hidden>
  </Settings>
  <Actions Context="LocalSystem">
    <Exec>
      <Command>cmd.exe</Command>
      <Arguments>/C whoami &gt; %windir%\\Temp\\xKzHqTOP.tmp 2&gt;&amp;1</Arguments>
    </Exec>
  </Actions>
</Task>
"""
call(TS, {'task_path': '\\xKzHqTOP', 'command': 'cmd.exe', 'arguments': '/C whoami > %windir%\\Temp\\xKzHqTOP.tmp 2>&1',
          'run_as': 'S-1-5-18'},
     tsch.hSchRpcRegisterTask, '\\xKzHqTOP', XML, tsch.TASK_CREATE, NULL, tsch.TASK_LOGON_NONE)
call(TS, {'task_path': '\\xKzHqTOP'}, tsch.hSchRpcRun, '\\xKzHqTOP')
call(TS, {'task_path': '\\xKzHqTOP'}, tsch.hSchRpcDelete, '\\xKzHqTOP')
call(TS, {'task_path': '\\xKzHqTOP'}, tsch.hSchRpcEnableTask, '\\xKzHqTOP', True)

AT = 'atsvc'
at = atsvc.AT_INFO()
at['JobTime'] = (23 * 3600 + 59 * 60) * 1000
at['DaysOfMonth'] = 0
at['DaysOfWeek'] = 0
at['Flags'] = 0
at['Command'] = 'cmd /c net user x Pass123 /add\x00'
call(AT, {'job_time': '23:59:00', 'command': 'cmd /c net user x Pass123 /add'}, atsvc.hNetrJobAdd, NULL, at)

# Responses as impacket marshals them (impacket's server-side structures): return codes, the
# handles Open/Create calls return, and the [out] arguments before them.
def response(iface, opnum, op, resp, returnCode, handle=None, args=None):
    out.append({'kind': 'response', 'iface': iface, 'opnum': opnum, 'op': op, 'stub': resp.getData().hex(),
                'returnCode': returnCode, 'handle': handle, 'args': args or {}})

R = bytes(range(0x40, 0x54))
r = scmr.RControlServiceResponse(); r['lpServiceStatus']['dwCurrentState'] = scmr.SERVICE_STOP_PENDING; r['ErrorCode'] = 0
response(SVC, 1, 'RControlService', r, 0)
r = scmr.ROpenServiceWResponse(); r['lpServiceHandle'] = b'\x00' * 20; r['ErrorCode'] = 1060
response(SVC, 16, 'ROpenServiceW', r, 1060, '00' * 20)
r = scmr.ROpenSCManagerWResponse(); r['lpScHandle'] = R; r['ErrorCode'] = 0
response(SVC, 15, 'ROpenSCManagerW', r, 0, R.hex())
r = rrp.OpenLocalMachineResponse(); r['phKey'] = rrp.RPC_HKEY(R); r['ErrorCode'] = 0
response(REG, 2, 'OpenLocalMachine', r, 0, rrp.RPC_HKEY(R).getData().hex())
r = rrp.BaseRegCreateKeyResponse(); r['phkResult'] = rrp.RPC_HKEY(R); r['lpdwDisposition'] = rrp.REG_CREATED_NEW_KEY; r['ErrorCode'] = 0
response(REG, 6, 'BaseRegCreateKey', r, 0, rrp.RPC_HKEY(R).getData().hex())
r = rrp.BaseRegOpenKeyResponse(); r['phkResult'] = rrp.RPC_HKEY(R); r['ErrorCode'] = 5
response(REG, 15, 'BaseRegOpenKey', r, 5, rrp.RPC_HKEY(R).getData().hex())
r = tsch.SchRpcRegisterTaskResponse(); r['pActualPath'] = '\\xKzHqTOP\x00'; r['pErrorInfo'] = NULL; r['ErrorCode'] = 0
response(TS, 1, 'SchRpcRegisterTask', r, 0, None, {'task_path': '\\xKzHqTOP'})
r = tsch.SchRpcRunResponse(); r['pGuid'] = b'\x11' * 16; r['ErrorCode'] = 0x80070002
response(TS, 12, 'SchRpcRun', r, 0x80070002)
r = atsvc.NetrJobAddResponse(); r['pJobId'] = 7; r['ErrorCode'] = 0
response(AT, 0, 'NetrJobAdd', r, 0)

# epmapper ept_map as rpcdump/impacket's hept_map asks for MS-NRPC over TCP, and a server answer
# with two towers (TCP port 49667 first).
from impacket.dcerpc.v5 import epm
from impacket.uuid import uuidtup_to_bin as u2b


class Stop(Exception):
    pass


class EpmCapture(Capture):
    def bind(self, *a, **k):
        pass

    def request(self, req, *a, **k):
        Capture.request(self, req)
        raise Stop()


try:
    epm.hept_map('10.0.0.1', u2b(('12345678-1234-ABCD-EF00-01234567CFFB', '1.0')), protocol='ncacn_ip_tcp',
                 dce=EpmCapture('epmapper', {'interface_asked': 'netlogon'}))
except Stop:
    pass


def tower(port):
    t = epm.EPMTower()
    i = epm.EPMRPCInterface()
    i['InterfaceUUID'] = u2b(('12345678-1234-ABCD-EF00-01234567CFFB', '1.0'))[:16]
    i['MajorVersion'] = 1
    i['MinorVersion'] = 0
    d = epm.EPMRPCDataRepresentation()
    d['DataRepUuid'] = u2b(('8a885d04-1ceb-11c9-9fe8-08002b104860', '2.0'))[:16]
    d['MajorVersion'] = 2
    d['MinorVersion'] = 0
    pi = epm.EPMProtocolIdentifier()
    pi['ProtIdentifier'] = epm.FLOOR_RPCV5_IDENTIFIER
    pa = epm.EPMPortAddr()
    pa['IpPort'] = port
    ha = epm.EPMHostAddr()
    ha['Ip4addr'] = bytes([10, 0, 0, 1])
    t['NumberOfFloors'] = 5
    t['Floors'] = i.getData() + d.getData() + pi.getData() + pa.getData() + ha.getData()
    tp = epm.twr_p_t()
    tp['tower_length'] = len(t)
    tp['tower_octet_string'] = t.getData()
    return tp


r = epm.ept_mapResponse()
r['entry_handle'] = epm.ept_lookup_handle_t(b'\x00' * 20)
r['num_towers'] = 2
r['ITowers'].append(tower(49667))
r['ITowers'].append(tower(49668))
r['status'] = 0
response('epmapper', 3, 'ept_map', r, 0, None, {'port': 49667})

# IWbemServices::ExecMethod('Win32_Process', 'Create') as wmiexec.py sends it: the in-parameters
# are an MS-WMIO encoded __PARAMETERS instance. Offline there is no server class to spawn it from,
# so the instance is assembled from impacket's own WMIO structures (CLASS_PART, INSTANCE_TYPE,
# HEAP, ENCODING_UNIT) and the expected command is what impacket's WMIO *parser* reads back.
import struct
from impacket.dcerpc.v5.dcom import wmi
from impacket.dcerpc.v5.dcomrt import OBJREF_CUSTOM, ORPCTHIS
from impacket.uuid import string_to_bin

def enc(s):
    return b'\x00' + s.encode('latin1') + b'\x00'

cmd = 'cmd.exe /Q /c whoami 1> \\\\127.0.0.1\\ADMIN$\\__1700000000.5 2>&1'
# class heap
heap = b''
def add(b):
    global heap
    off = len(heap); heap += b; return off
cname = add(enc('__PARAMETERS'))
n_cmd = add(enc('CommandLine'))
n_dir = add(enc('CurrentDirectory'))
qs_empty = struct.pack('<L', 4)
i_cmd = add(struct.pack('<LHLL', 8, 0, 0, cname) + qs_empty)
i_dir = add(struct.pack('<LHLL', 8, 1, 4, cname) + qs_empty)
props = [(n_cmd, i_cmd), (n_dir, i_dir)]
ndval = b'\x00' + b'\x00' * 8
cp = wmi.CLASS_PART()
cp['ClassHeader'] = wmi.CLASS_HEADER()
dl = wmi.DERIVATION_LIST(); dl['EncodingLength'] = 4; dl['ClassNameEncoding'] = b''
cq = wmi.CLASS_QUALIFIER_SET(); cq['EncodingLength'] = 4; cq['Qualifier'] = b''
plt = wmi.PROPERTY_LOOKUP_TABLE(); plt['PropertyCount'] = 2; plt['PropertyLookup'] = b''.join(struct.pack('<LL', a, b) for a, b in props)
hp = wmi.HEAP(); hp['HeapLength'] = len(heap) | 0x80000000; hp['HeapItem'] = heap
cp['DerivationList'] = dl; cp['ClassQualifierSet'] = cq; cp['PropertyLookupTable'] = plt
cp['NdTable_ValueTable'] = ndval; cp['ClassHeap'] = hp
cp['ClassHeader']['ReservedOctet'] = 0; cp['ClassHeader']['ClassNameRef'] = cname; cp['ClassHeader']['NdTableValueTableLength'] = len(ndval)
cp['ClassHeader']['EncodingLength'] = 0
cp['ClassHeader']['EncodingLength'] = len(cp.getData())
# instance
iheap = b''
def iadd(b):
    global iheap
    off = len(iheap); iheap += b; return off
icn = iadd(enc('__PARAMETERS'))
v_cmd = iadd(b'\x01' + cmd.encode('utf-16le') + b'\x00\x00')
v_dir = iadd(enc('C:\\'))
it = wmi.INSTANCE_TYPE()
it['CurrentClass'] = cp.getData()
it['EncodingLength'] = 0
it['InstanceFlags'] = 0
it['InstanceClassName'] = icn
it['NdTable_ValueTable'] = b'\x00' + struct.pack('<LL', v_cmd, v_dir)
iq = wmi.INSTANCE_QUALIFIER_SET(); iq['QualifierSet'] = qs_empty; iq['InstancePropQualifierSet'] = b'\x01'
it['InstanceQualifierSet'] = iq.getData()
ih = wmi.HEAP(); ih['HeapLength'] = len(iheap) | 0x80000000; ih['HeapItem'] = iheap
it['InstanceHeap'] = ih.getData()
inst_len = len(it.getData()) - len(cp.getData())
it['EncodingLength'] = inst_len
ob = wmi.OBJECT_BLOCK(); ob.structure += wmi.OBJECT_BLOCK.instanceType
ob['ObjectFlags'] = 2; ob['Decoration'] = b''; ob['InstanceType'] = it.getData()
eu = wmi.ENCODING_UNIT(); eu['ObjectBlock'] = ob; eu['ObjectEncodingLength'] = len(ob)
blob = eu.getData()
# impacket's own parser reads it back
parsed = wmi.ENCODING_UNIT(blob)
parsed['ObjectBlock'].parseObject()
impacket_reads = parsed['ObjectBlock'].ctCurrent['values']['CommandLine']['value']
objref = OBJREF_CUSTOM()
objref['iid'] = string_to_bin('DC12A681-737F-11CF-884D-00AA004B2E24')  # IID_IWbemClassObject
objref['clsid'] = wmi.CLSID_WbemClassObject
objref['cbExtension'] = 0
objref['ObjectReferenceSize'] = len(blob)
objref['pObjectData'] = blob
req = wmi.IWbemServices_ExecMethod()
orpc = ORPCTHIS()
orpc['version']['MajorVersion'] = 5
orpc['version']['MinorVersion'] = 7
orpc['cid'] = string_to_bin('11111111-2222-3333-4444-555555555555')
orpc['extensions'] = NULL
req['ORPCthis'] = orpc
req['strObjectPath']['asData'] = 'Win32_Process\x00'
req['strMethodName']['asData'] = 'Create\x00'
req['lFlags'] = 0
req['pCtx'] = NULL
req['pInParams']['ulCntData'] = len(objref)
req['pInParams']['abData'] = list(objref.getData())
req.fields['ppCallResult'] = NULL
req.fields['ppOutParams'].fields['Data'] = NULL
out.append({'iface': 'IWbemServices', 'opnum': 24, 'op': 'ExecMethod', 'stub': req.getData().hex(), 'handle': None,
            'args': {'object_path': 'Win32_Process', 'method': 'Create', 'command': impacket_reads}})

for o in out:
    print(json.dumps(o))
