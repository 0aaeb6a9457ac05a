#!/usr/bin/env bash
# Replays every corpus and lab capture with two builds and diffs their NDJSON, after taking out
# what a newer build adds on purpose (dcerpc-call events, smb.gap). Usage:
#   tools/compare-replays.sh OLD_CLI NEW_CLI [CAPTURE_DIR…]
# prints one line per capture that differs, then "N captures, M differ".
set -uo pipefail
old=$1 new=$2; shift 2
dirs=("$@")
[ ${#dirs[@]} = 0 ] && dirs=(../shared/captures captures)
n=0 d=0
filter() { grep -v '"action":"dcerpc-call"' | sed -e 's/,"gap":true//g'; }
while IFS= read -r f; do
  n=$((n+1))
  a=$(node "$old" -q -r "$f" 2>/dev/null | filter | md5sum)
  b=$(node "$new" -q -r "$f" 2>/dev/null | filter | md5sum)
  if [ "$a" != "$b" ]; then d=$((d+1)); echo "differs: $f"; fi
done < <(find "${dirs[@]}" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' -o -name '*.pcap.gz' \) | sort)
echo "$n captures, $d differ"
