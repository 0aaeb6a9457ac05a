/**
 * Request stubs marshalled by impacket (an independent NDR implementation; the library psexec.py,
 * atexec.py, services.py and reg.py are built on) through the same helper functions those tools
 * call: our decoders must give back exactly the arguments impacket was given. This is the oracle
 * for what the corpus lacks or tshark 4.0 cannot decode: SchRpcRegisterTask with atexec's task
 * XML, SchRpcRun/Delete/EnableTask, winreg create/set (every value type)/delete/save, svcctl
 * change-config and start with arguments, atsvc NetrJobAdd, IWbemServices ExecMethod; and
 * responses (return codes, returned handles, [out] arguments before them). Requests made through
 * the h* helpers are also checked in NDR64 (impacket re-marshals them as after an NDR64 bind). svcctl's ANSI and
 * WOW variants and ROpenSCManager2, which impacket does not define, are its NDRCALLs written from
 * the MS-SCMR IDL in the helper (the IDL transcription is ours, the byte layout impacket's).
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { decodeRequestStub, decodeResponseStub, lookupInterface } from '../dissectors/dcerpc/index';
import { UUIDS_BY_NAME } from './helpers/dcerpc-uuids';

interface Case {
  kind?: 'response';
  returnCode?: number;
  iface: string;
  opnum: number;
  op: string;
  stub: string;
  /** the same request in NDR64 (for calls made through impacket's h* helpers) */
  stub64?: string;
  handle: string | null;
  args: Record<string, unknown>;
}

function cases(): Case[] {
  // Debian's python3 with python3-impacket (CI installs it); a missing module fails the test
  const out = execFileSync('/usr/bin/python3', [path.join(__dirname, 'helpers', 'dcerpc-impacket.py')], { stdio: ['ignore', 'pipe', 'pipe'] });
  return out.toString().trim().split('\n').map((l) => JSON.parse(l) as Case);
}

const all = cases();
t.ok(all.length >= 25, `${all.length} impacket stubs`);
for (const c of all) {
  t.test(`${c.iface} ${c.op}${c.kind ? ' ' + c.kind : ''}`, (t) => {
    const iface = lookupInterface(UUIDS_BY_NAME[c.iface]);
    t.ok(iface, 'interface known');
    const op = iface!.ops.get(c.opnum);
    t.equal(op?.name, c.op, 'operation name');
    if (c.kind === 'response') {
      const r = decodeResponseStub(op, Buffer.from(c.stub, 'hex'), false);
      if (!r.ok) {
        t.fail(`${r.reason} at ${r.offset}`);
        return t.end();
      }
      t.equal(r.returnCode, c.returnCode, 'return code');
      t.equal(r.handle, c.handle ?? undefined, 'returned handle');
      t.same(r.args, c.args, 'arguments');
      return t.end();
    }
    t.ok(op?.request, 'has a request decoder');
    const d = decodeRequestStub(op, Buffer.from(c.stub, 'hex'), false);
    if (!d.ok) {
      t.fail(`${d.reason} at ${d.offset}`);
      return t.end();
    }
    t.same(d.args, c.args, 'arguments');
    t.equal(d.handle, c.handle ?? undefined, 'input handle');
    if (c.stub64) {
      const d64 = decodeRequestStub(op, Buffer.from(c.stub64, 'hex'), false, true);
      t.ok(d64.ok, 'NDR64 decodes');
      if (d64.ok) t.same(d64.args, c.args, 'NDR64 arguments');
    }
    t.end();
  });
}
