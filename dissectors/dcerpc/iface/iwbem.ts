/**
 * IWbemServices — MS-WMI (9556dc99-828c-11cf-a37e-00aa003240c7), a DCOM interface: ExecMethod
 * and ExecMethodAsync name the object path and method (wmiexec: `Win32_Process`, `Create`) and
 * carry the in-parameters as an MS-WMIO encoded instance whose `CommandLine` is the command
 * (wmio.ts). Readable when the call is not sealed (auth level integrity or lower).
 */
import type { NdrReader } from '../ndr';
import type { Args, IfaceDecoders, OpDecoder } from './types';
import { put, req } from './common';
import { bstr, customObjrefData, mInterfacePointer, skipOrpcThis } from './dcom';
import { instanceStringProperty } from './wmio';

export const IWBEMSERVICES_UUID = '9556dc99-828c-11cf-a37e-00aa003240c7';

function execMethod(name: string): OpDecoder {
  return {
    name,
    returns: 'hresult',
    request(r: NdrReader) {
      skipOrpcThis(r);
      const args: Args = {};
      put(args, 'object_path', bstr(r));
      put(args, 'method', bstr(r));
      r.u32(); // lFlags
      mInterfacePointer(r); // pCtx
      const inParams = mInterfacePointer(r);
      if (r.err) return r.err;
      // ppOutParams / ppCallResult (ExecMethod) or pResponseHandler (Async) follow: not needed
      const custom = inParams && customObjrefData(inParams);
      if (custom) put(args, 'command', instanceStringProperty(custom.data, 'CommandLine'));
      return req(r, args);
    },
  };
}

export const iwbemservices: IfaceDecoders = {
  uuid: IWBEMSERVICES_UUID,
  name: 'IWbemServices',
  returns: 'hresult',
  ops: {
    24: execMethod('ExecMethod'),
    25: execMethod('ExecMethodAsync'),
  },
};
