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
  impacket_lab.py psexec-probe HOST  impacket psexec's own order (ServiceInstall): srvsvc share
                                     list on IPC$, the writable-share probe (mkdir + rmdir of a
                                     random directory on ADMIN$, each its own tree), upload of an
                                     8-letter .exe to ADMIN$, svcctl, delete the .exe, LOGOFF: the
                                     executable tree is not the first admin tree.
  impacket_lab.py admin-hold-exe HOST  ADMIN$ held for > 300 s while an MZ binary is written to it
                                     (a PsExec shell kept open), then deleted, tree disconnected.
  impacket_lab.py denied-storm HOST  access-denied retries: 14 TREE_CONNECTs to D$ (which the lab
                                     user may not use) in one session within ~0.1 s, as Explorer
                                     retries with DFS referrals; then 10 fresh sessions 1.2 s apart,
                                     each denied D$ once (distinct attempts).
  impacket_lab.py fin-rst HOST       ADMIN$ held, MZ binary written and deleted, then a non-SMB
                                     message makes smbd close (FIN) and the client aborts (RST).
  impacket_lab.py nbss-root HOST     over NetBIOS (port 139; calling name LABCLIENT<00>, the
                                     NTLMSSP messages carry no workstation): C$ connected, the
                                     share root (empty name) opened for read+write, closed, tree
                                     disconnected, LOGOFF.
SMB 2.1 is forced because impacket encrypts every SMB 3.x session when the server offers
encryption, which would hide the tree connect and LOGOFF from a passive sensor.
Credentials come from LAB_USER, LAB_PASS, LAB_DOMAIN; the binary from LAB_PAYLOAD.
"""
import os
import random
import socket
import string
import struct
import sys
import time

from impacket.dcerpc.v5 import scmr, transport
from impacket.smb3structs import SMB2_DIALECT_21
from impacket.smb3structs import FILE_DIRECTORY_FILE, FILE_READ_DATA, FILE_SHARE_READ, FILE_SHARE_WRITE, FILE_WRITE_DATA
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


def login(host):
    user, password, domain = os.environ['LAB_USER'], os.environ['LAB_PASS'], os.environ['LAB_DOMAIN']
    conn = SMBConnection(host, host, preferredDialect=SMB2_DIALECT_21)
    conn.login(user, password, domain)
    return conn


def psexec_probe(host):
    payload = os.environ['LAB_PAYLOAD']
    conn = login(host)
    shares = [s['shi1_netname'][:-1] for s in conn.listShares()]
    say('shares: %s' % ', '.join(shares))
    # ServiceInstall.findWritableShare(): mkdir + rmdir of a random name, one tree each.
    probe = ''.join(random.choice(string.ascii_letters) for _ in range(8))
    conn.createDirectory('ADMIN$', probe)
    conn.deleteDirectory('ADMIN$', probe)
    say('probed ADMIN$ with %s' % probe)
    exe = ''.join(random.choice(string.ascii_letters) for _ in range(8)) + '.exe'
    with open(payload, 'rb') as fh:
        conn.putFile('ADMIN$', exe, fh.read)
    say('uploaded ADMIN$\\%s' % exe)
    rpc = transport.SMBTransport(host, host, filename=r'\svcctl', smb_connection=conn)
    dce = rpc.get_dce_rpc()
    dce.connect()
    try:
        dce.bind(scmr.MSRPC_UUID_SCMR)
        scm = scmr.hROpenSCManagerW(dce)['lpScHandle']
        try:
            scmr.hRCreateServiceW(dce, scm, 'SwProbeSvc', 'SwProbeSvc', lpBinaryPathName='%%SystemRoot%%\\%s' % exe)
        except Exception as e:  # noqa: BLE001 - Samba cannot create Windows services
            say('CreateServiceW failed: %s' % e)
        scmr.hRCloseServiceHandle(dce, scm)
    except Exception as e:  # noqa: BLE001
        say('svcctl failed: %s' % e)
    finally:
        dce.disconnect()
    conn.deleteFile('ADMIN$', exe)
    conn.logoff()
    conn.close()
    say('deleted and logged off')


def admin_hold_exe(host):
    payload = os.environ['LAB_PAYLOAD']
    hold = float(os.environ.get('LAB_HOLD', '310'))
    conn = login(host)
    tid = conn.connectTree('ADMIN$')
    time.sleep(5)
    with open(payload, 'rb') as fh:
        conn.putFile('ADMIN$', 'PSEXESVC.exe', fh.read)
    say('uploaded ADMIN$\\PSEXESVC.exe, holding the tree %.0f s' % hold)
    time.sleep(hold)
    conn.deleteFile('ADMIN$', 'PSEXESVC.exe')
    conn.disconnectTree(tid)
    conn.logoff()
    conn.close()
    say('held, deleted, disconnected')


def denied_storm(host):
    conn = login(host)
    denied = 0
    for _ in range(14):
        try:
            conn.connectTree('D$')
        except Exception:  # noqa: BLE001 - STATUS_ACCESS_DENIED expected
            denied += 1
    say('retry storm: %d denied' % denied)
    conn.logoff()
    conn.close()
    if denied != 14:
        raise SystemExit('expected 14 denied tree connects, got %d' % denied)
    for i in range(10):
        time.sleep(1.2)
        c = login(host)
        try:
            c.connectTree('D$')
            raise SystemExit('D$ connected')
        except SystemExit:
            raise
        except Exception:  # noqa: BLE001
            pass
        c.logoff()
        c.close()
    say('10 sessions denied once each')


def fin_rst(host):
    payload = os.environ['LAB_PAYLOAD']
    conn = login(host)
    conn.connectTree('ADMIN$')
    with open(payload, 'rb') as fh:
        conn.putFile('ADMIN$', 'svcupdate.exe', fh.read)
    conn.deleteFile('ADMIN$', 'svcupdate.exe')
    sock = conn.getSMBServer().get_socket()
    # An NBSS message that is no SMB: smbd ends the connection with a FIN (no TREE_DISCONNECT,
    # no LOGOFF); the client then aborts its socket (linger 0): its RST follows the server's FIN.
    sock.sendall(b'\x00\x00\x00\x08\xffXYZ\x00\x00\x00\x00')
    sock.settimeout(5)
    while sock.recv(4096):
        pass
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    sock.close()
    say('server FIN read, RST sent')


def nbss_root(host):
    user, password, domain = os.environ['LAB_USER'], os.environ['LAB_PASS'], os.environ['LAB_DOMAIN']
    conn = SMBConnection('SWSRV', host, myName='LABCLIENT', sess_port=139, preferredDialect=SMB2_DIALECT_21)
    # the NBSS session request named LABCLIENT<00>; the NTLMSSP messages name no workstation
    conn.getSMBServer()._Connection['ClientName'] = ''
    conn.login(user, password, domain)
    tid = conn.connectTree('C$')
    fid = conn.openFile(tid, '', desiredAccess=FILE_READ_DATA | FILE_WRITE_DATA,
                        shareMode=FILE_SHARE_READ | FILE_SHARE_WRITE, creationOption=FILE_DIRECTORY_FILE)
    conn.closeFile(tid, fid)
    conn.disconnectTree(tid)
    conn.logoff()
    conn.close()
    say('opened the C$ root for write over port 139')


SCENARIOS = {'psexec-like': psexec_like, 'admin-logoff': admin_logoff, 'psexec-probe': psexec_probe,
             'admin-hold-exe': admin_hold_exe, 'denied-storm': denied_storm, 'fin-rst': fin_rst,
             'nbss-root': nbss_root}


def main(argv):
    if len(argv) != 3 or argv[1] not in SCENARIOS:
        sys.stderr.write(__doc__)
        return 2
    SCENARIOS[argv[1]](argv[2])
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
