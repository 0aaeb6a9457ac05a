/**
 * src/net's entry point: captured packets in, StreamSink calls out.
 * reader → PacketDecoder (link/IP/TCP, reused DecodedPacket) → TcpEngine (flows, reassembly,
 * NBSS framing). One object per capture run; nothing allocated per packet on the common path.
 */
import type { CapturedPacket } from '../shared/packet';
import type { DecodedPacket } from './decoded-packet';
import type { StreamSink } from '../shared/stream';
import { PacketDecoder, formatIp, newDecodedPacket } from './decode';
import { TcpEngine, type NetOptions } from './tcp-engine';
import type { NetCounters } from './counters';
import { RoomFaults } from '../shared/faults';

export { DEFAULT_NET_OPTIONS, netOptionsFromConfig, type NetOptions } from './tcp-engine';

export class NetPipeline {
  readonly decoder = new PacketDecoder();
  readonly engine: TcpEngine;
  /** reassembly/framing counters (plain fields); decode drop reasons are in `decoder.counts` */
  readonly counters: NetCounters;
  private readonly decoded: DecodedPacket = newDecodedPacket();
  /** what the room's error boundary caught (the run's, when given) */
  readonly faults: RoomFaults;

  constructor(sink: StreamSink, opts: Partial<NetOptions> = {}, faults: RoomFaults = new RoomFaults()) {
    this.engine = new TcpEngine(sink, opts, formatIp);
    this.counters = this.engine.counters;
    this.faults = faults;
  }

  /**
   * One captured packet. The net room's error boundary: an exception on a hostile packet is
   * counted as a net fault and the packet dropped; it never reaches the reader.
   */
  handle(pkt: CapturedPacket): void {
    try {
      this.handleOne(pkt);
    } catch (e) {
      this.faults.record('net', e);
    }
  }

  private handleOne(pkt: CapturedPacket): void {
    const e = this.engine;
    e.counters.packets++;
    e.advanceTime(pkt.tsSec, pkt.tsNsec);
    if (!this.decoder.decode(pkt, this.decoded)) {
      e.counters.packetsNotDecoded++;
      return;
    }
    e.handleDecoded(this.decoded);
  }

  /** Capture end: every open connection ends with 'capture_end' (same boundary). */
  finish(): void {
    try {
      this.engine.finish();
    } catch (e) {
      this.faults.record('net', e);
    }
  }
}
