#!/usr/bin/python3
"""Impacket clients for the sharewatch lab (run by captures/record.sh in the client namespace).

  impacket_lab.py psexec-like HOST   what impacket's psexec/ServiceInstall does, over SMB 2.1:
                                     share enumeration on IPC$ (srvsvc), upload of an MZ binary to
                                     ADMIN$, svcctl pipe + OpenSCManagerW/CreateServiceW (Samba
                                     refuses to create a service; the pipe open is what matters),
                                     delete the binary, LOGOFF.
  impacket_lab.py admin-logoff HOST  ADMIN$ drop-and-delete over SMB 2.1 ended by LOGOFF (no
                                     TREE_DISCONNECT): connect ADMIN$, write the MZ binary,
                                     delete it, LOGOFF, close TCP.
SMB 2.1 is forced because impacket encrypts every SMB 3.x session when the server offers
encryption, which would hide the tree connect and LOGOFF from a passive sensor.
Credentials come from LAB_USER, LAB_PASS, LAB_DOMAIN; the binary from LAB_PAYLOAD.
"""
import os
import sys

from impacket.dcerpc.v5 import scmr, transport
from impacket.smb3structs import SMB2_DIALECT_21
from impacket.smbconnection import SMBConnection


def say(msg):
    print(msg, flush=True)


def psexec_like(host):
    user, password, domain = os.environ['LAB_USER'], os.environ['LAB_PASS'], os.environ['LAB_DOMAIN']
    payload = os.environ['LAB_PAYLOAD']
    conn = SMBConnection(host, host, preferredDialect=SMB2_DIALECT_21)
    conn.login(user, password, domain)
    say('dialect 0x%x' % conn.getDialect())

    # 1. Share enumeration over IPC$ + \srvsvc, as ServiceInstall.getShares() does.
    shares = [s['shi1_netname'][:-1] for s in conn.listShares()]
    say('shares: %s' % ', '.join(shares))

    # 2. Upload the service binary to ADMIN$ (putFile connects and disconnects the tree).
    with open(payload, 'rb') as fh:
        conn.putFile('ADMIN$', 'svcupdate.exe', fh.read)
    say('uploaded ADMIN$\\svcupdate.exe')

    # 3. Service control manager over IPC$ + \svcctl.
    rpc = transport.SMBTransport(host, host, filename=r'\svcctl', smb_connection=conn)
    dce = rpc.get_dce_rpc()
    dce.connect()
    try:
        dce.bind(scmr.MSRPC_UUID_SCMR)
        say('svcctl bound')
        scm = scmr.hROpenSCManagerW(dce)['lpScHandle']
        say('OpenSCManagerW ok')
        try:
            svc = scmr.hRCreateServiceW(dce, scm, 'SwLabSvc', 'SwLabSvc',
                                        lpBinaryPathName='%SystemRoot%\\svcupdate.exe')['lpServiceHandle']
            say('CreateServiceW ok')
            try:
                scmr.hRStartServiceW(dce, svc)
            except Exception as e:  # noqa: BLE001 - Samba cannot start Windows services
                say('StartServiceW failed: %s' % e)
            scmr.hRDeleteService(dce, svc)
            scmr.hRCloseServiceHandle(dce, svc)
        except Exception as e:  # noqa: BLE001
            say('CreateServiceW failed: %s' % e)
        scmr.hRCloseServiceHandle(dce, scm)
    except Exception as e:  # noqa: BLE001 - the pipe open is on the wire either way
        say('svcctl failed: %s' % e)
    finally:
        dce.disconnect()

    # 4. Clean up the binary and log off, as ServiceInstall.uninstall() and psexec's exit do.
    conn.deleteFile('ADMIN$', 'svcupdate.exe')
    say('deleted ADMIN$\\svcupdate.exe')
    conn.logoff()
    conn.close()
    say('logged off')


def admin_logoff(host):
    user, password, domain = os.environ['LAB_USER'], os.environ['LAB_PASS'], os.environ['LAB_DOMAIN']
    payload = os.environ['LAB_PAYLOAD']
    conn = SMBConnection(host, host, preferredDialect=SMB2_DIALECT_21)
    conn.login(user, password, domain)
    say('dialect 0x%x' % conn.getDialect())
    # Holding the tree open makes putFile/deleteFile reuse it (impacket counts tree uses), so
    # the tree ends with the LOGOFF, not with a TREE_DISCONNECT.
    conn.connectTree('ADMIN$')
    with open(payload, 'rb') as fh:
        conn.putFile('ADMIN$', 'svcupdate.exe', fh.read)
    conn.deleteFile('ADMIN$', 'svcupdate.exe')
    conn.logoff()
    conn.close()
    say('wrote, deleted and logged off')


SCENARIOS = {'psexec-like': psexec_like, 'admin-logoff': admin_logoff}


def main(argv):
    if len(argv) != 3 or argv[1] not in SCENARIOS:
        sys.stderr.write(__doc__)
        return 2
    SCENARIOS[argv[1]](argv[2])
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
