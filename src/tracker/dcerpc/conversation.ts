/**
 * One DCE/RPC conversation: the PDUs of one SMB named-pipe open (FileId on its tree) or of one
 * ncacn_ip_tcp connection. It cuts pipe data into PDUs, reassembles multi-fragment stubs
 * (bounded), maps context ids to interfaces (bind / alter_context), pairs requests and
 * responses by call id, remembers what the handles returned by Open/Create calls name, and
 * emits one `dcerpc-call` record per finished call (response, fault, or the end of the pipe or
 * connection). Decoding is the pure dissector's (dissectors/dcerpc); this file keeps state only.
 */
import {
  decodePdu,
  decodeRequestStub,
  decodeResponseStub,
  lookupInterface,
  mergeHandleArgs,
  negotiatedContexts,
  objectArgs,
  operationName,
  peekFragLength,
  type Args,
  type AuthLevelName,
  type BindPdu,
  type InterfaceInfo,
  type Pdu,
} from '../../../dissectors/dcerpc';
import type { DcerpcArgValue, DcerpcCallRecord, Flow, Outcome, SessionView, Timestamp } from '../../shared/records';
import { rpcStatusName, faultName } from './status-names';
import type { RpcCounters, RpcLimits } from './limits';
import { TO_CLIENT, TO_SERVER } from '../../shared/stream';


/** What a conversation needs from the tracker: identity at emit time, the record sink. */
export interface RpcHost {
  readonly rpcCounters: RpcCounters;
  readonly rpcLimits: RpcLimits;
  emitCall(rec: DcerpcCallRecord): void;
  /** an endpoint-mapper answer handed out a TCP port on the server */
  dcerpcEndpoint(serverIp: string, port: number): void;
}

/** Where the conversation runs and who speaks in it (resolved when a call is emitted). */
export interface RpcOwner {
  readonly flow: Flow;
  session(): SessionView;
  readonly transport: 'smb' | 'tcp';
  readonly pipe: string | null;
  readonly treeId: string | null;
  /** identity learned from the conversation's own bind authentication (TCP) */
  noteAuth?(verifier: Buffer): void;
  /** the server's bind_ack authentication (an NTLM CHALLENGE), TCP */
  noteServerAuth?(verifier: Buffer): void;
  /** the conversation ended */
  end?(ts: Timestamp): void;
}

interface Context {
  readonly uuid: string;
  readonly version: string;
  readonly iface: InterfaceInfo | undefined;
  /** the bind_ack accepted NDR64 as its transfer syntax */
  ndr64: boolean;
}

/** binds awaiting their ack (by call id), to learn each context's transfer syntax */
const MAX_PENDING_BINDS = 8;

interface PendingCall {
  readonly callId: number;
  readonly opnum: number;
  readonly ctx: Context | null;
  readonly ts: Timestamp;
  readonly authLevel: AuthLevelName;
  readonly encrypted: boolean;
  args: Args;
  /** the request's own arguments, before its handle's object filled them in */
  readonly rawArgs: Args;
  /** input context handle of the request, hex */
  readonly handle: string | undefined;
  gap: boolean;
}

/** A stub being reassembled from fragments (one per direction). */
interface StubAssembly {
  callId: number;
  buf: Buffer;
  len: number;
  /** bytes dropped past the memcap: the stub is partial and not decoded */
  cut: boolean;
}

const NO_ARGS: Args = Object.freeze({}) as Args;

export class RpcConversation {
  private readonly contexts = new Map<number, Context>();
  private readonly calls = new Map<number, PendingCall>();
  private readonly handles = new Map<string, Args>();
  private readonly binds = new Map<number, BindPdu['contexts']>();
  /** pipe data not yet forming a whole PDU, per direction (SMB transports) */
  private readonly carry: [Buffer | null, Buffer | null] = [null, null];
  private readonly assembly: [StubAssembly | null, StubAssembly | null] = [null, null];
  private authLevel: AuthLevelName = 'none';
  /** the bind_ack's secondary address (Zeek's dce_rpc.log named_pipe), null until one is seen */
  private secondaryAddress: string | null = null;
  private gap = false;
  ended = false;

  constructor(
    private readonly host: RpcHost,
    readonly owner: RpcOwner,
  ) {}

  /** Bytes were lost on the underlying connection: open calls may be partial. */
  noteGap(): void {
    this.gap = true;
    for (const c of this.calls.values()) c.gap = true;
    this.carry[0] = this.carry[1] = null;
    this.assembly[0] = this.assembly[1] = null;
  }

  /**
   * Pipe data (WRITE/READ/IOCTL payload) in one direction: may hold several PDUs, or part of one
   * (the rest comes in the next message of that direction).
   */
  feedPipe(dir: 0 | 1, data: Buffer, ts: Timestamp, afterGap: boolean): void {
    if (this.ended) return;
    if (afterGap) this.noteGap();
    let b = data;
    const held = this.carry[dir];
    if (held !== null) {
      b = Buffer.concat([held, data]);
      this.carry[dir] = null;
    }
    let off = 0;
    while (off < b.length) {
      const fl = peekFragLength(b, off);
      if (typeof fl !== 'number') {
        this.host.rpcCounters.error('dcerpc:' + fl.reason);
        return; // not DCE/RPC (or lost framing): drop the rest of this message
      }
      if (fl < 0 || off + fl > b.length) {
        const rest = b.length - off;
        if (rest > this.host.rpcLimits.maxPduBytes) {
          this.host.rpcCounters.memcapHits++;
          return;
        }
        this.carry[dir] = Buffer.from(b.subarray(off));
        return;
      }
      this.pdu(dir, b.subarray(off, off + fl), ts);
      off += fl;
    }
  }

  /** One whole PDU (TCP transport: framed by src/net). */
  pdu(dir: 0 | 1, buf: Buffer, ts: Timestamp): void {
    if (this.ended) return;
    const c = this.host.rpcCounters;
    const p = decodePdu(buf);
    if (!p.ok) {
      c.error('dcerpc:' + p.reason);
      return;
    }
    c.pdus++;
    if (p.auth !== null && p.auth.authLevel > 0) this.authLevel = p.auth.authLevelName;
    switch (p.type) {
      case 'bind':
      case 'alter_context':
        if (dir === TO_SERVER) this.bind(p);
        return;
      case 'bind_ack':
      case 'alter_context_resp':
        if (dir !== TO_CLIENT) return;
        this.bindAck(p);
        // Zeek's dce_rpc.log named_pipe; the server's NTLM CHALLENGE (ntlm.log of TCP binds)
        if (p.type === 'bind_ack' && p.secondaryAddress !== '') this.secondaryAddress = p.secondaryAddress;
        if (p.auth && this.owner.noteServerAuth) this.owner.noteServerAuth(p.auth.verifier);
        return;
      case 'auth3':
        if (p.auth && this.owner.noteAuth) this.owner.noteAuth(p.auth.verifier);
        return;
      case 'request':
        if (dir === TO_SERVER) this.request(p, ts);
        return;
      case 'response':
        if (dir === TO_CLIENT) this.response(p, ts);
        return;
      case 'fault':
        if (dir === TO_CLIENT) this.fault(p, ts);
        return;
      default:
        return;
    }
  }

  /** The pipe closed, its tree or connection ended: calls still open end without a response. */
  end(ts: Timestamp): void {
    if (this.ended) return;
    this.ended = true;
    for (const call of this.calls.values()) this.emit(call, ts, false, null, null, NO_ARGS, 'unknown');
    if (this.owner.end) this.owner.end(ts);
    this.calls.clear();
    this.handles.clear();
    this.carry[0] = this.carry[1] = null;
    this.assembly[0] = this.assembly[1] = null;
  }

  private bind(p: Extract<Pdu, { type: 'bind' | 'alter_context' }>): void {
    const lim = this.host.rpcLimits;
    for (const ctx of p.contexts) {
      if (!this.contexts.has(ctx.ctxId) && this.contexts.size >= lim.maxContexts) {
        this.host.rpcCounters.memcapHits++;
        continue;
      }
      this.contexts.set(ctx.ctxId, {
        uuid: ctx.abstract.uuid,
        version: ctx.abstract.version,
        iface: lookupInterface(ctx.abstract.uuid),
        ndr64: false,
      });
    }
    if (this.binds.size >= MAX_PENDING_BINDS) this.binds.delete(this.binds.keys().next().value as number);
    this.binds.set(p.callId, p.contexts);
    if (p.auth && this.owner.noteAuth) this.owner.noteAuth(p.auth.verifier);
  }

  /** The answer to a bind: which transfer syntax (NDR or NDR64) each context uses. */
  private bindAck(p: Extract<Pdu, { type: 'bind_ack' | 'alter_context_resp' }>): void {
    const contexts = this.binds.get(p.callId);
    if (contexts === undefined) return;
    this.binds.delete(p.callId);
    for (const n of negotiatedContexts({ contexts } as BindPdu, p)) {
      const ctx = this.contexts.get(n.ctxId);
      if (ctx !== undefined) ctx.ndr64 = n.ndr64;
    }
  }

  /** The whole stub of a fragment series, or null while more fragments are due. */
  private stubOf(dir: 0 | 1, p: { callId: number; firstFrag: boolean; lastFrag: boolean; stub: Buffer }): StubAssembly | Buffer | null {
    if (p.firstFrag && p.lastFrag) {
      this.assembly[dir] = null;
      return p.stub;
    }
    const lim = this.host.rpcLimits;
    let a = this.assembly[dir];
    if (p.firstFrag || a === null || a.callId !== p.callId) {
      if (!p.firstFrag) {
        // a middle fragment whose first we never saw: nothing to decode
        this.host.rpcCounters.orphanFragments++;
        if (!p.lastFrag) return null;
        return { callId: p.callId, buf: p.stub, len: 0, cut: true };
      }
      a = { callId: p.callId, buf: Buffer.allocUnsafe(Math.min(Math.max(p.stub.length * 2, 4096), lim.maxStubBytes)), len: 0, cut: false };
      this.assembly[dir] = a;
    }
    const room = lim.maxStubBytes - a.len;
    if (p.stub.length > room) {
      if (!a.cut) this.host.rpcCounters.memcapHits++;
      a.cut = true;
    } else {
      if (a.len + p.stub.length > a.buf.length) {
        const nb = Buffer.allocUnsafe(Math.min(lim.maxStubBytes, Math.max(a.buf.length * 2, a.len + p.stub.length)));
        a.buf.copy(nb, 0, 0, a.len);
        a.buf = nb;
      }
      p.stub.copy(a.buf, a.len);
      a.len += p.stub.length;
    }
    if (!p.lastFrag) return null;
    this.assembly[dir] = null;
    return a;
  }

  private request(p: Extract<Pdu, { type: 'request' }>, ts: Timestamp): void {
    const whole = this.stubOf(TO_SERVER, p);
    if (whole === null) return;
    const ctx = this.contexts.get(p.ctxId) ?? null;
    const op = ctx?.iface?.ops.get(p.opnum);
    let args: Args = NO_ARGS;
    let rawArgs: Args = NO_ARGS;
    let handle: string | undefined;
    const complete = Buffer.isBuffer(whole) ? whole : whole.cut ? null : whole.buf.subarray(0, whole.len);
    if (!p.encrypted && complete !== null && op) {
      const r = decodeRequestStub(op, complete, p.bigEndian, ctx !== null && ctx.ndr64);
      if (r.ok) {
        args = rawArgs = r.args;
        handle = r.handle;
        if (handle !== undefined) args = mergeHandleArgs(this.handles.get(handle), args);
      } else this.host.rpcCounters.error('dcerpc-args:' + r.reason);
    }
    const lim = this.host.rpcLimits;
    const prior = this.calls.get(p.callId);
    if (prior) {
      // a call id reused before its answer: the first call ended unanswered
      this.calls.delete(p.callId);
      this.emit(prior, ts, false, null, null, NO_ARGS, 'unknown');
    }
    if (this.calls.size >= lim.maxPendingCalls) {
      const oldest = this.calls.values().next().value as PendingCall;
      this.calls.delete(oldest.callId);
      this.host.rpcCounters.callsEvicted++;
      this.emit(oldest, ts, false, null, null, NO_ARGS, 'unknown');
    }
    this.calls.set(p.callId, {
      callId: p.callId,
      opnum: p.opnum,
      ctx,
      ts,
      authLevel: p.auth !== null ? p.auth.authLevelName : this.authLevel,
      encrypted: p.encrypted,
      args,
      rawArgs,
      handle,
      gap: this.gap,
    });
  }

  private response(p: Extract<Pdu, { type: 'response' }>, ts: Timestamp): void {
    const whole = this.stubOf(TO_CLIENT, p);
    if (whole === null) return;
    const call = this.calls.get(p.callId);
    if (!call) {
      this.host.rpcCounters.responsesWithoutRequest++;
      return;
    }
    this.calls.delete(p.callId);
    const op = call.ctx?.iface?.ops.get(call.opnum);
    const complete = Buffer.isBuffer(whole) ? whole : whole.cut ? null : whole.buf.subarray(0, whole.len);
    let rc: string | null = null;
    let outArgs: Args = NO_ARGS;
    // a response whose status cannot be read (sealed, cut, undecodable) has an unknown outcome
    let outcome: Outcome = 'unknown';
    if (!p.encrypted && complete !== null) {
      const r = decodeResponseStub(op, complete, p.bigEndian, call.ctx !== null && call.ctx.ndr64);
      if (r.ok) {
        outArgs = r.args;
        if (r.returnCode !== null) {
          rc = rpcStatusName(op?.returns ?? 'win32', r.returnCode);
          outcome = r.returnCode === 0 ? 'success' : 'failure';
        } else outcome = 'success';
        if (outcome === 'success' && op?.opens && r.handle !== undefined) this.rememberHandle(r.handle, call);
      } else this.host.rpcCounters.error('dcerpc-args:' + r.reason);
    }
    if (call.ctx?.iface?.name === 'epmapper' && typeof outArgs.port === 'number') {
      this.host.dcerpcEndpoint(this.owner.flow.serverIp, outArgs.port);
    }
    this.emit(call, ts, true, rc, null, outArgs, outcome);
  }

  private fault(p: Extract<Pdu, { type: 'fault' }>, ts: Timestamp): void {
    this.assembly[TO_CLIENT] = null;
    const call = this.calls.get(p.callId);
    if (!call) {
      this.host.rpcCounters.responsesWithoutRequest++;
      return;
    }
    this.calls.delete(p.callId);
    this.emit(call, ts, true, null, faultName(p.status), NO_ARGS, 'failure');
  }

  private rememberHandle(handle: string, call: PendingCall): void {
    const lim = this.host.rpcLimits;
    if (!this.handles.has(handle) && this.handles.size >= lim.maxHandles) {
      this.handles.delete(this.handles.keys().next().value as string);
      this.host.rpcCounters.memcapHits++;
    }
    // the parent's object joined with what this call named itself (its merged args already hold the parent)
    this.handles.set(handle, objectArgs(call.handle !== undefined ? this.handles.get(call.handle) : undefined, call.rawArgs));
  }

  /** One finished call: answered by a response or fault at `ts`, or ended unanswered at `ts`. */
  private emit(
    call: PendingCall,
    ts: Timestamp,
    answered: boolean,
    rc: string | null,
    fault: string | null,
    outArgs: Args,
    outcome: Outcome,
  ): void {
    const args: Record<string, DcerpcArgValue> = {};
    for (const k of Object.keys(call.args)) args[k] = call.args[k] as DcerpcArgValue;
    for (const k of Object.keys(outArgs)) if (args[k] === undefined) args[k] = outArgs[k] as DcerpcArgValue;
    const ctx = call.ctx;
    const o = this.owner;
    this.host.emitCall({
      kind: 'dcerpc-call',
      ts,
      flow: o.flow,
      session: o.session(),
      transport: o.transport,
      pipe: o.pipe,
      treeId: o.treeId,
      secondaryAddress: this.secondaryAddress,
      interfaceUuid: ctx ? ctx.uuid : '',
      interfaceVersion: ctx ? ctx.version : '',
      interfaceName: ctx ? (ctx.iface?.name ?? ctx.uuid) : 'unknown',
      operation: operationName(ctx?.iface, call.opnum),
      opnum: call.opnum,
      authLevel: call.authLevel,
      encrypted: call.encrypted,
      returnCode: rc,
      fault,
      outcome,
      durationNs: answered ? Math.max(0, (ts.sec - call.ts.sec) * 1e9 + (ts.nsec - call.ts.nsec)) : null,
      args,
      gap: call.gap,
    });
  }
}
