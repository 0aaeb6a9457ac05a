/** Names for DCE/RPC return codes and fault statuses (the dissector's tables). */
export { returnCodeName as rpcStatusName, faultName } from '../../../dissectors/dcerpc/win32-errors';
