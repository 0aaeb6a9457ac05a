/**
 * ISystemActivator / IRemoteSCMActivator — MS-DCOM remote activation
 * (000001a0-0000-0000-c000-000000000046): the CLSID a client asks the server to instantiate
 * (wmiexec and dcomexec start with WbemLevel1Login, MMC20.Application, ShellWindows…).
 */
import type { DecodedRequest, IfaceDecoders, OpDecoder } from './types';
import type { DissectError } from '../../result';
import type { NdrReader } from '../ndr';
import { req } from './common';
import { activationClsid, customObjrefData, mInterfacePointer, skipOrpcThis } from './dcom';

export const ISYSTEMACTIVATOR_UUID = '000001a0-0000-0000-c000-000000000046';

function activation(name: string): OpDecoder {
  return {
    name,
    returns: 'hresult',
    request(r: NdrReader): DecodedRequest | DissectError {
      skipOrpcThis(r);
      mInterfacePointer(r); // pUnkOuter
      const props = mInterfacePointer(r); // pActProperties
      if (r.err) return r.err;
      const args: Record<string, string> = {};
      const custom = props && customObjrefData(props);
      const clsid = custom && activationClsid(custom.data);
      if (clsid) args.clsid = clsid;
      return req(r, args);
    },
  };
}

export const activator: IfaceDecoders = {
  uuid: ISYSTEMACTIVATOR_UUID,
  name: 'ISystemActivator',
  returns: 'hresult',
  ops: {
    4: activation('RemoteCreateInstance'),
  },
};
