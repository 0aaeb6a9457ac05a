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

H = bytes(range(1, 21))  # an input context handle
out = []


class Capture:
    def __init__(self, iface, expect):
        self.iface, self.expect = iface, expect

    def request(self, req, *a, **k):
        out.append({'iface': self.iface, 'opnum': req.opnum, 'op': req.__class__.__name__,
                    'stub': req.getData().hex(), 'handle': self.expect.pop('_handle', None),
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

for o in out:
    print(json.dumps(o))
