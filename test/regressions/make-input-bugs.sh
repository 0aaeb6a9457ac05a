#!/usr/bin/env bash
# Rebuilds the two input-bug regression captures of issue 14 from a lab capture (editcap and
# mergecap come with tshark). Deterministic: run it again and the files are byte-identical.
#   pcapng-far-future.pcapng     c-drop-delete.pcap, frames 1-18 as recorded, frames 19-49 moved
#                                9e12 s (year 287225) into the future: damage at frame 19's block
#   pcap-caplen-over-snaplen.pcap  c-drop-delete.pcap with the file header's snaplen set to 128
#                                (the records keep their full caplen, as when writers disagree)
set -euo pipefail
cd "$(dirname "$0")"
src=../../captures/c-drop-delete.pcap
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

editcap -F pcapng -r "$src" "$tmp/head.pcapng" 1-18
editcap -F pcapng -r "$src" "$tmp/tail.pcapng" 19-49
editcap -F pcapng -t 9000000000000 "$tmp/tail.pcapng" "$tmp/tail-future.pcapng"
mergecap -a -F pcapng -w pcapng-far-future.pcapng "$tmp/head.pcapng" "$tmp/tail-future.pcapng"

cp "$src" pcap-caplen-over-snaplen.pcap
# little-endian pcap: snaplen is the uint32 at byte 16
printf '\x80\x00\x00\x00' | dd of=pcap-caplen-over-snaplen.pcap bs=1 seek=16 conv=notrunc status=none
