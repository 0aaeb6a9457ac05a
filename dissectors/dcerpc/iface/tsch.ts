/**
 * ITaskSchedulerService — MS-TSCH (86d35949-83c9-4044-b424-db363231fd0c): registering, running,
 * enabling and deleting scheduled tasks (atexec.py, CrackMapExec, schtasks /s). The task XML of
 * SchRpcRegisterTask is parsed by task-xml.ts for `command`, `arguments`, `run_as`.
 */
import type { NdrReader } from '../ndr';
import type { Args, IfaceDecoders, OpDecoder } from './types';
import { put, req, res } from './common';
import { taskFacts } from './task-xml';

export const TSCH_UUID = '86d35949-83c9-4044-b424-db363231fd0c';

/** Task XML is longer than names: up to 64 Ki UTF-16 units are read (the stub bounds it anyway). */
const MAX_XML_UNITS = 65536;

/** `[in, string, size_is(n), unique] const wchar_t**`: pointer, conformant array of ids, strings. */
function stringArray(r: NdrReader, expected: number): string[] {
  const out: string[] = [];
  if (!r.pointer()) return out;
  const n = r.conformantArray(r.ptrSize);
  if (n !== expected) {
    r.fail('ndr-array-bounds');
    return out;
  }
  const ids: number[] = [];
  for (let i = 0; i < n && !r.err; i++) ids.push(r.pointer());
  for (const id of ids) if (id && !r.err) out.push(r.string16());
  return out;
}

const pathOnly = (name: string): OpDecoder => ({
  name,
  returns: 'hresult',
  request(r) {
    const args: Args = { task_path: r.string16() };
    r.u32(); // flags / enabled
    return req(r, args);
  },
});

export const tsch: IfaceDecoders = {
  uuid: TSCH_UUID,
  name: 'ITaskSchedulerService',
  returns: 'hresult',
  ops: {
    1: {
      name: 'SchRpcRegisterTask',
      returns: 'hresult',
      request(r) {
        const args: Args = {};
        put(args, 'task_path', r.uniqueString16());
        const xml = r.string16(MAX_XML_UNITS);
        r.u32(); // flags
        r.uniqueString16(); // sddl
        r.u32(); // logonType
        r.u32(); // cCreds (pCreds follow: not needed, and may hold a password)
        if (r.err) return r.err;
        const facts = taskFacts(xml);
        if (facts === null) {
          r.fail('task-xml');
          return r.err!;
        }
        put(args, 'command', facts.command);
        put(args, 'arguments', facts.arguments);
        put(args, 'run_as', facts.run_as);
        return req(r, args);
      },
      response(r) {
        const args: Args = {};
        if (r.pointer()) put(args, 'task_path', r.string16()); // pActualPath
        if (r.pointer()) {
          // TASK_XML_ERROR_INFO: line, column, [string] node, [string] value (deferred)
          r.alignStruct();
          r.u32();
          r.u32();
          const a = r.pointer();
          const b = r.pointer();
          if (a) r.string16();
          if (b) r.string16();
        }
        return res(r, args);
      },
    },
    12: {
      name: 'SchRpcRun',
      returns: 'hresult',
      request(r) {
        const args: Args = { task_path: r.string16() };
        const n = r.u32(); // cArgs
        const list = stringArray(r, n);
        if (list.length) args.arguments = list.join(' ');
        r.u32(); // flags
        r.u32(); // sessionId
        put(args, 'run_as', r.uniqueString16());
        return req(r, args);
      },
      response(r) {
        r.uuid(); // pGuid
        return res(r, {});
      },
    },
    13: pathOnly('SchRpcDelete'),
    19: pathOnly('SchRpcEnableTask'),
  },
};
