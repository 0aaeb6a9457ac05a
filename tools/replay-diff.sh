#!/usr/bin/env bash
# Replays every capture of the corpus (../shared/captures) and of the lab (captures/) with two
# builds and diffs what a user sees: stdout (the events) byte for byte, the exit status and the
# last stderr line (damage/stop reason; the summary above it holds wall-clock figures).
#   tools/replay-diff.sh BASE_DIST NEW_DIST      (each a dist/ directory of a built checkout)
# Prints one line per capture that differs and a total; exit 1 when any differs.
set -uo pipefail
base=${1:?base dist}; new=${2:?new dist}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
n=0; differ=0
while IFS= read -r f; do
  n=$((n + 1))
  for side in base new; do
    d=$base; [ $side = new ] && d=$new
    node "$d/src/cli/main.js" -r "$f" > "$tmp/$side.out" 2> "$tmp/$side.err"
    echo "exit $?" > "$tmp/$side.status"
    tail -n 1 "$tmp/$side.err" | grep -v '^  ' >> "$tmp/$side.status"
  done
  if ! cmp -s "$tmp/base.out" "$tmp/new.out" || ! cmp -s "$tmp/base.status" "$tmp/new.status"; then
    differ=$((differ + 1))
    echo "DIFFERS $f: $(diff "$tmp/base.out" "$tmp/new.out" | grep -c '^[<>]') event lines; status $(tr '\n' ' ' < "$tmp/base.status") -> $(tr '\n' ' ' < "$tmp/new.status")"
  fi
done < <(find ../shared/captures captures -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' -o -name '*.pcap.gz' \) -not -path '*/baselines/*' | sort)
echo "$n captures replayed, $differ differ"
[ "$differ" = 0 ]
