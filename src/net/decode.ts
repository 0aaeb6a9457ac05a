/**
 * Link → IPv4/IPv6 → TCP header decode of one captured frame into a reused DecodedPacket
 * (gopacket DecodingLayer style: fields reset in place, payload as offsets, no allocation).
 *
 * Lengths come from the IP header, never from the frame: Ethernet padding is not payload, and
 * bytes announced by IP but cut by the snaplen are reported as `payloadMissing`. Packets that
 * are not usable TCP return false and are counted by reason in `counts`.
 */
import type { CapturedPacket } from '../shared/packet';
import type { DecodedPacket } from './decoded-packet';
import { FramePacket } from '../shared/packet';
import { u16be, u32be, u32le } from '../shared/bytes';

export { formatIp } from './ip-format';

/** LINKTYPE_* values handled (https://www.tcpdump.org/linktypes.html) */
export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  RAW_DLT12: 12,
  RAW_DLT14: 14,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

const ETH_IPV4 = 0x0800;
const ETH_IPV6 = 0x86dd;
const MAX_VLAN_TAGS = 8;
const MAX_IPV6_EXT_HEADERS = 8;
const IPPROTO_TCP = 6;

/** Drop reasons and totals; plain numbers, read by metrics and the summary. */
export interface DecodeCounts {
  packets: number;
  /** decoded as TCP (ok) */
  tcp: number;
  unknownLinktype: number;
  /** link layer carries something other than IPv4/IPv6 (ARP, LLC, other address families) */
  notIp: number;
  /** IP carries something other than TCP (UDP, ICMP, tunnels, no-next-header) */
  notTcp: number;
  /** a link, IP or TCP header cut by the snaplen or the frame end */
  truncatedHeader: number;
  badIpHeader: number;
  badTcpHeader: number;
  /** all IP fragments seen (first fragments are decoded, later ones dropped) */
  ipFragments: number;
  /** non-first fragments, dropped (no reassembly) */
  ipFragmentsDropped: number;
  ipv6ExtHeaderLimit: number;
  /** TCP packets whose payload was cut by the snaplen (payloadMissing > 0) */
  snaplenCut: number;
  /** IP length larger than the frame although the frame was not cut: payload taken as captured */
  ipLengthBeyondFrame: number;
}

export function newDecodeCounts(): DecodeCounts {
  return {
    packets: 0,
    tcp: 0,
    unknownLinktype: 0,
    notIp: 0,
    notTcp: 0,
    truncatedHeader: 0,
    badIpHeader: 0,
    badTcpHeader: 0,
    ipFragments: 0,
    ipFragmentsDropped: 0,
    ipv6ExtHeaderLimit: 0,
    snaplenCut: 0,
    ipLengthBeyondFrame: 0,
  };
}

const EMPTY = Buffer.alloc(0);

/** A DecodedPacket to be reused for every decode() call. */
export function newDecodedPacket(): DecodedPacket {
  return {
    ok: false,
    tsSec: 0,
    tsNsec: 0,
    buf: EMPTY,
    ipVersion: 4,
    srcAddrOffset: 0,
    dstAddrOffset: 0,
    srcPort: 0,
    dstPort: 0,
    seq: 0,
    ack: 0,
    tcpFlags: 0,
    window: 0,
    payloadOffset: 0,
    payloadLength: 0,
    payloadMissing: 0,
    fragmented: false,
  };
}

export class PacketDecoder {
  readonly counts: DecodeCounts = newDecodeCounts();
  /** the frame being decoded: its end in `buf` and its captured length */
  private end = 0;
  private capLen = 0;

  /** Fills `out` from `pkt`; true when it is a decodable IPv4/IPv6 TCP segment. */
  decode(pkt: CapturedPacket, out: DecodedPacket): boolean {
    const c = this.counts;
    c.packets++;
    // the reader's packets are read where they lie in its chunk (no view per packet)
    let b: Buffer;
    let base: number;
    let cap: number;
    if (pkt instanceof FramePacket) {
      b = pkt.chunk;
      base = pkt.dataOffset;
      cap = pkt.capLen;
    } else {
      b = pkt.data;
      base = 0;
      cap = b.length;
    }
    const n = base + cap;
    this.end = n;
    this.capLen = cap;
    out.ok = false;
    out.tsSec = pkt.tsSec;
    out.tsNsec = pkt.tsNsec;
    out.buf = b;
    out.fragmented = false;
    out.payloadOffset = 0;
    out.payloadLength = 0;
    out.payloadMissing = 0;

    let off: number;
    let etype: number;
    switch (pkt.linktype) {
      case LINKTYPE.ETHERNET:
        if (cap < 14) return this.truncated();
        etype = u16be(b, base + 12);
        off = base + 14;
        break;
      case LINKTYPE.LINUX_SLL:
        if (cap < 16) return this.truncated();
        etype = u16be(b, base + 14);
        off = base + 16;
        break;
      case LINKTYPE.LINUX_SLL2:
        if (cap < 20) return this.truncated();
        etype = u16be(b, base);
        off = base + 20;
        break;
      case LINKTYPE.RAW:
      case LINKTYPE.RAW_DLT12:
      case LINKTYPE.RAW_DLT14:
        if (cap < 1) return this.truncated();
        off = base;
        etype = b[base]! >> 4 === 6 ? ETH_IPV6 : ETH_IPV4;
        break;
      case LINKTYPE.IPV4:
        off = base;
        etype = ETH_IPV4;
        break;
      case LINKTYPE.IPV6:
        off = base;
        etype = ETH_IPV6;
        break;
      case LINKTYPE.NULL:
      case LINKTYPE.LOOP: {
        if (cap < 4) return this.truncated();
        // the address family is in the byte order of the capturing host (LOOP: network order);
        // a value above 16 bits means we read it the wrong way round
        let fam = u32le(b, base);
        if (fam > 0xffff) fam = u32be(b, base);
        off = base + 4;
        if (fam === 2) etype = ETH_IPV4;
        else if (fam === 24 || fam === 28 || fam === 30 || fam === 10) etype = ETH_IPV6;
        else {
          c.notIp++;
          return false;
        }
        break;
      }
      default:
        c.unknownLinktype++;
        return false;
    }
    // 802.1Q, 802.1ad (QinQ) and the old 0x9100 tags, bounded
    for (let tags = 0; etype === 0x8100 || etype === 0x88a8 || etype === 0x9100; tags++) {
      if (tags >= MAX_VLAN_TAGS || off + 4 > n) return this.truncated();
      etype = u16be(b, off + 2);
      off += 4;
    }
    if (etype === ETH_IPV4) return this.ipv4(pkt, b, off, out);
    if (etype === ETH_IPV6) return this.ipv6(pkt, b, off, out);
    c.notIp++;
    return false;
  }

  private truncated(): false {
    this.counts.truncatedHeader++;
    return false;
  }

  private ipv4(pkt: CapturedPacket, b: Buffer, off: number, out: DecodedPacket): boolean {
    const c = this.counts;
    const n = this.end;
    if (n - off < 20) return this.truncated();
    const vihl = b[off]!;
    const ihl = (vihl & 0x0f) * 4;
    if (vihl >> 4 !== 4 || ihl < 20) {
      c.badIpHeader++;
      return false;
    }
    if (off + ihl > n) return this.truncated();
    const totalLen = u16be(b, off + 2);
    let ipEnd: number;
    if (totalLen === 0) {
      // segmentation offload on the capturing host: length not filled in, use what was captured
      ipEnd = n;
    } else if (totalLen < ihl) {
      c.badIpHeader++;
      return false;
    } else ipEnd = off + totalLen;
    const frag = u16be(b, off + 6);
    if ((frag & 0x1fff) !== 0) {
      c.ipFragments++;
      c.ipFragmentsDropped++;
      return false;
    }
    if ((frag & 0x2000) !== 0) {
      c.ipFragments++;
      out.fragmented = true;
    }
    if (b[off + 9] !== IPPROTO_TCP) {
      c.notTcp++;
      return false;
    }
    out.ipVersion = 4;
    out.srcAddrOffset = off + 12;
    out.dstAddrOffset = off + 16;
    return this.tcp(pkt, b, off + ihl, ipEnd, out);
  }

  private ipv6(pkt: CapturedPacket, b: Buffer, off: number, out: DecodedPacket): boolean {
    const c = this.counts;
    const n = this.end;
    if (n - off < 40) return this.truncated();
    if (b[off]! >> 4 !== 6) {
      c.badIpHeader++;
      return false;
    }
    const plen = u16be(b, off + 4);
    // 0: jumbogram or offload; take what was captured
    const ipEnd = plen === 0 ? n : off + 40 + plen;
    const capEnd = ipEnd < n ? ipEnd : n;
    let next = b[off + 6]!;
    let h = off + 40;
    for (let i = 0; next !== IPPROTO_TCP; i++) {
      // hop-by-hop 0, routing 43, fragment 44, ESP-less AH 51, destination options 60,
      // mobility 135, HIP 139, shim6 140: all "next header + length" shaped
      if (next !== 0 && next !== 43 && next !== 44 && next !== 51 && next !== 60 && next !== 135 && next !== 139 && next !== 140) {
        c.notTcp++;
        return false;
      }
      if (i >= MAX_IPV6_EXT_HEADERS) {
        c.ipv6ExtHeaderLimit++;
        return false;
      }
      if (h + 8 > capEnd) {
        if (h + 8 > ipEnd) c.badIpHeader++;
        else c.truncatedHeader++;
        return false;
      }
      if (next === 44) {
        const fo = u16be(b, h + 2);
        if (fo >> 3 !== 0) {
          c.ipFragments++;
          c.ipFragmentsDropped++;
          return false;
        }
        if ((fo & 1) !== 0) {
          c.ipFragments++;
          out.fragmented = true;
        }
        next = b[h]!;
        h += 8;
        continue;
      }
      const len = next === 51 ? (b[h + 1]! + 2) * 4 : (b[h + 1]! + 1) * 8;
      next = b[h]!;
      h += len;
    }
    out.ipVersion = 6;
    out.srcAddrOffset = off + 8;
    out.dstAddrOffset = off + 24;
    return this.tcp(pkt, b, h, ipEnd, out);
  }

  /** TCP header at b[t]; the IP datagram announces its end at ipEnd (may lie beyond the frame). */
  private tcp(pkt: CapturedPacket, b: Buffer, t: number, ipEnd: number, out: DecodedPacket): boolean {
    const c = this.counts;
    const n = this.end;
    const capEnd = ipEnd < n ? ipEnd : n;
    if (t + 20 > capEnd) {
      if (t + 20 > ipEnd) c.badTcpHeader++;
      else c.truncatedHeader++;
      return false;
    }
    const doff = (b[t + 12]! >> 4) * 4;
    if (doff < 20) {
      c.badTcpHeader++;
      return false;
    }
    if (t + doff > capEnd) {
      if (t + doff > ipEnd) c.badTcpHeader++;
      else c.truncatedHeader++;
      return false;
    }
    out.srcPort = u16be(b, t);
    out.dstPort = u16be(b, t + 2);
    out.seq = u32be(b, t + 4);
    out.ack = u32be(b, t + 8);
    out.tcpFlags = b[t + 13]!;
    out.window = u16be(b, t + 14);
    out.payloadOffset = t + doff;
    out.payloadLength = capEnd - (t + doff);
    if (ipEnd > n) {
      if (pkt.origLen > this.capLen) {
        out.payloadMissing = ipEnd - n;
        c.snaplenCut++;
      } else {
        // not cut by the snaplen, so the IP length is wrong: use what is there
        c.ipLengthBeyondFrame++;
      }
    }
    out.ok = true;
    c.tcp++;
    return true;
  }
}
