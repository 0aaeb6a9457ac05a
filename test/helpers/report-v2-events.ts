/**
 * NDJSON events built from contract.md version 2 (shapes main may not emit yet): a two-hour log
 * with a psexec-style lateral-movement chain (ADMIN$ write, svcctl RCreateServiceW, start,
 * cleanup), an atsvc job, a winreg write, a 5 ms C$ mapping in the middle, an SMB3 session with an
 * inferred admin tree (SW-0015), failed logons and routine traffic on other pairs.
 */
type Obj = Record<string, unknown>;

const T0 = Date.UTC(2026, 10, 23, 8, 0, 0);

export function iso(ms: number): string {
  const whole = Math.floor(ms);
  const us = Math.round((ms - whole) * 1000);
  return new Date(whole).toISOString().slice(0, 23) + String(us).padStart(3, '0') + 'Z';
}

const observer = { product: 'sharewatch', type: 'sensor', version: '0.2.0', hostname: 'sensor-1' };

function base(ms: number, kind: 'event' | 'alert', action: string, outcome: string, flow: Flow, extra: Obj, dataset = 'sharewatch.smb'): Obj {
  const ev: Obj = {
    '@timestamp': iso(ms),
    event: { kind, dataset, action, outcome, ...((extra.event as Obj) ?? {}) },
  };
  for (const [k, v] of Object.entries(extra)) if (k !== 'event') ev[k] = v;
  ev.source = { ip: flow.client, port: flow.cport };
  ev.destination = { ip: flow.server, port: flow.sport };
  ev.network = { transport: 'tcp', protocol: dataset === 'sharewatch.dcerpc' ? 'dcerpc' : 'smb', community_id: `1:${flow.client}${flow.cport}` };
  ev.related = { ip: [flow.client, flow.server] };
  ev.observer = observer;
  if (flow.user) ev.user = { name: flow.user, domain: 'CORP' };
  ev.smb = { version: '3.1.1', session_id: flow.sid, ...((extra.smb as Obj) ?? {}) };
  return ev;
}

interface Flow {
  client: string;
  cport: number;
  server: string;
  sport: number;
  sid: string;
  user: string | null;
}

function tree(share: string, cls: string, tid: string): Obj {
  const name = share.slice(share.lastIndexOf('\\') + 1);
  return { tree_id: tid, share, share_name: name, share_class: cls, share_type: cls === 'ipc' ? 'pipe' : 'disk', status: 'STATUS_SUCCESS' };
}

function rpc(ms: number, flow: Flow, iface: string, op: string, opnum: number, args: Obj, outcome = 'success', rc = 'ERROR_SUCCESS'): Obj {
  return base(
    ms,
    'event',
    'dcerpc-call',
    outcome,
    flow,
    {
      event: { duration: 1_200_000 },
      dcerpc: { transport: 'smb', pipe: iface, interface: { uuid: '367abb81-9844-35f1-ad32-98f038001003', version: '2.0', name: iface }, operation: op, opnum, auth_level: 'privacy', encrypted: false, return_code: rc, args },
    },
    'sharewatch.dcerpc',
  );
}

function alert(ev: Obj, id: string, name: string, severity: number, message: string, extra: Obj = {}): Obj {
  const a: Obj = { ...ev };
  a.event = { ...(ev.event as Obj), kind: 'alert', action: name, severity };
  a.rule = { id, name };
  a.message = message;
  a.threat = { framework: 'MITRE ATT&CK', technique: { id: ['T1021.002'], name: ['SMB/Windows Admin Shares'] } };
  for (const [k, v] of Object.entries(extra)) a[k] = v;
  // the contract's key order puts these first; order does not matter to the report
  return a;
}

export interface V2Log {
  events: Obj[];
  /** the 5 ms C$ mapping: its tree-disconnect time (ms) and lane's client/server */
  cMapping: { end: number; client: string; server: string };
}

export function v2Log(routineSessions = 40): V2Log {
  const out: Obj[] = [];
  const atk: Flow = { client: '10.1.0.66', cport: 50111, server: '10.1.0.10', sport: 445, sid: '0x0000000000001111', user: 'mallory' };
  const t = T0 + 3_600_000; // one hour in
  out.push(base(t, 'event', 'smb-session-setup', 'success', atk, { smb: { auth: 'ntlmssp', workstation: 'ATTACKER', status: 'STATUS_SUCCESS' } }));
  const admin = tree('\\\\FS01\\ADMIN$', 'admin', '0x00000005');
  out.push(base(t + 10, 'event', 'smb-tree-connect', 'success', atk, { smb: admin }));
  const disc = base(t + 60, 'event', 'smb-tree-disconnect', 'success', atk, {
    event: { duration: 50_000_000 },
    smb: { ...admin, end_reason: 'tree_disconnect', activity: { creates: 1, reads: 0, writes: 3, bytes_read: 0, bytes_written: 381_000, ioctls: 0 }, files: ['PSEXESVC.exe'], pipes: [] },
  });
  out.push(disc);
  out.push(alert(disc, 'SW-0006', 'executable-written-to-admin-share', 73, 'mallory@CORP from 10.1.0.66 wrote the executable PSEXESVC.exe to \\\\FS01\\ADMIN$ on 10.1.0.10'));
  out.push(base(t + 70, 'event', 'smb-tree-connect', 'success', atk, { smb: tree('\\\\FS01\\IPC$', 'ipc', '0x00000001') }));
  out.push(rpc(t + 80, atk, 'svcctl', 'ROpenSCManagerW', 15, {}));
  const create = rpc(t + 90, atk, 'svcctl', 'RCreateServiceW', 12, { service_name: 'PSEXESVC', display_name: 'PSEXESVC', binary_path: '%SystemRoot%\\PSEXESVC.exe', service_type: 'own_process', start_type: 'demand' });
  out.push(create);
  out.push(alert(create, 'SW-0004', 'remote-service-created', 73, 'mallory@CORP from 10.1.0.66 created the service PSEXESVC (%SystemRoot%\\PSEXESVC.exe) on 10.1.0.10'));
  const start = rpc(t + 100, atk, 'svcctl', 'RStartServiceW', 19, { service_name: 'PSEXESVC' });
  out.push(start);
  out.push(
    alert(start, 'SW-0012', 'lateral-movement', 99, 'mallory@CORP from 10.1.0.66 moved to 10.1.0.10: wrote PSEXESVC.exe to ADMIN$, created and started the service PSEXESVC (psexec)', {
      lateral_movement: {
        id: 'lm-1',
        steps: [
          { '@timestamp': iso(t + 60), step: 'W', summary: 'wrote PSEXESVC.exe to \\\\FS01\\ADMIN$' },
          { '@timestamp': iso(t + 90), step: 'S', summary: 'created service PSEXESVC' },
          { '@timestamp': iso(t + 100), step: 'X', summary: 'started service PSEXESVC' },
        ],
        tool: 'psexec',
      },
    }),
  );
  const del = rpc(t + 500, atk, 'svcctl', 'RDeleteService', 2, { service_name: 'PSEXESVC' });
  (del as Obj).lateral_movement = { id: 'lm-1' };
  out.push(del);
  const job = rpc(t + 600, atk, 'atsvc', 'NetrJobAdd', 0, { command: 'cmd.exe /c whoami > C:\\Windows\\Temp\\abcdefgh.tmp', job_time: 1200 });
  out.push(job);
  out.push(alert(job, 'SW-0005', 'remote-task-created', 99, 'mallory@CORP from 10.1.0.66 added the job cmd.exe /c whoami on 10.1.0.10'));
  const reg = rpc(t + 700, atk, 'winreg', 'BaseRegSetValue', 22, { key: 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run', value_name: 'upd', value_type: 'REG_SZ', value_data: 'C:\\u.exe' });
  out.push(reg);
  out.push(alert(reg, 'SW-0007', 'remote-registry-write', 73, 'mallory@CORP from 10.1.0.66 wrote HKLM\\…\\Run\\upd on 10.1.0.10'));
  out.push(rpc(t + 710, atk, 'winreg', 'BaseRegOpenKey', 15, { key: 'HKLM\\SAM' }, 'failure', 'ERROR_ACCESS_DENIED'));
  out.push(base(t + 2000, 'event', 'smb-session-end', 'success', atk, { event: { duration: 2_000_000_000 }, smb: { end_reason: 'logoff', trees: 2 } }));

  // the 5 ms C$ mapping, 40 minutes in, on its own pair
  const c: Flow = { client: '10.1.0.77', cport: 50222, server: '10.1.0.20', sport: 445, sid: '0x0000000000002222', user: 'bob' };
  const tc = T0 + 2_400_000;
  out.push(base(tc - 20, 'event', 'smb-session-setup', 'success', c, { smb: { auth: 'ntlmssp', status: 'STATUS_SUCCESS' } }));
  const cs = tree('\\\\10.1.0.20\\C$', 'admin', '0x00000009');
  out.push(base(tc, 'event', 'smb-tree-connect', 'success', c, { smb: cs }));
  const cd = base(tc + 5, 'event', 'smb-tree-disconnect', 'success', c, {
    event: { duration: 5_000_000 },
    smb: { ...cs, end_reason: 'tree_disconnect', activity: { creates: 0, reads: 0, writes: 0, bytes_read: 0, bytes_written: 0, ioctls: 0 }, files: [], pipes: [] },
  });
  out.push(cd);
  out.push(alert(cd, 'SW-0001', 'short-lived-admin-share', 73, 'bob@CORP from 10.1.0.77 mounted \\\\10.1.0.20\\C$ on 10.1.0.20 and disconnected it after 0.005 s'));
  out.push(base(tc + 40, 'event', 'smb-session-end', 'success', c, { event: { duration: 60_000_000 }, smb: { end_reason: 'logoff', trees: 1 } }));

  // an encrypted session with an inferred ADMIN$ tree (SW-0015)
  const e: Flow = { client: '10.1.0.88', cport: 50333, server: '10.1.0.30', sport: 445, sid: '0x0000000000003333', user: 'eve' };
  const te = T0 + 5_000_000;
  const inf = base(te + 3000, 'event', 'smb-inferred-tree', 'unknown', e, {
    event: { duration: 2_500_000_000 },
    smb: { inferred: true, share_name_length: 6, share_candidates: ['ADMIN$'], share_class: 'admin', inference: { confidence: 0.9 }, activity: { creates: 1, writes: 2, bytes_written: 9000 }, end_reason: 'tree_disconnect' },
  });
  out.push(inf);
  out.push(alert(inf, 'SW-0015', 'short-lived-admin-share-inferred', 47, 'eve@CORP from 10.1.0.88: a tree on an admin share (ADMIN$) was inferred from encrypted message sizes, ended after 2.5 s'));
  out.push(base(te + 9000, 'event', 'smb-encrypted-session', 'unknown', e, { event: { duration: 9_000_000_000 }, smb: { messages: 40, bytes: 12000, end_reason: 'connection_close' } }));

  // failed logons
  for (let i = 0; i < 3; i++) {
    const f: Flow = { client: '10.1.0.99', cport: 51000 + i, server: '10.1.0.10', sport: 445, sid: `0x000000000000900${i}`, user: 'admin' };
    out.push(base(T0 + 1_000_000 + i * 100, 'event', 'smb-session-setup', 'failure', f, { smb: { auth: 'ntlmssp', status: 'STATUS_LOGON_FAILURE' } }));
  }

  // routine sessions over the two hours
  for (let i = 0; i < routineSessions; i++) {
    const r: Flow = { client: `10.2.0.${1 + (i % 20)}`, cport: 40000 + i, server: `10.1.0.${10 + (i % 3) * 10}`, sport: 445, sid: `0x0000000000${(0x500000 + i).toString(16)}`, user: `user${i % 7}` };
    const ts = T0 + Math.floor((i * 7_200_000) / routineSessions);
    out.push(base(ts, 'event', 'smb-session-setup', 'success', r, { smb: { auth: 'kerberos', status: 'STATUS_SUCCESS' } }));
    const sh = tree(`\\\\FS\\share${i % 4}`, 'normal', `0x0000${(100 + i).toString(16).padStart(4, '0')}`);
    out.push(base(ts + 5, 'event', 'smb-tree-connect', 'success', r, { smb: sh }));
    out.push(base(ts + 60_000, 'event', 'smb-tree-disconnect', 'success', r, { event: { duration: 59_995_000_000 }, smb: { ...sh, end_reason: 'tree_disconnect', activity: { creates: 2, reads: 5, writes: 1, bytes_read: 100, bytes_written: 10, ioctls: 0 }, files: ['doc.txt'], pipes: [] } }));
    out.push(base(ts + 60_010, 'event', 'smb-session-end', 'success', r, { event: { duration: 60_010_000_000 }, smb: { end_reason: 'logoff', trees: 1 } }));
  }
  out.sort((a, b) => (a['@timestamp'] as string).localeCompare(b['@timestamp'] as string));
  return { events: out, cMapping: { end: tc + 5, client: c.client, server: c.server } };
}

export function ndjson(events: Obj[]): string {
  return events.map((e) => JSON.stringify(e) + '\n').join('');
}
