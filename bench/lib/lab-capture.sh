#!/usr/bin/env bash
# Records bench input (a): a real SMB capture from the lab (captures/record.sh), in one tcpdump run:
#   - ADMIN_N short admin-share sessions: smbclient to C$/ADMIN$ (put an MZ binary, delete it),
#     every 10th one impacket's ADMIN$ drop-and-logoff or psexec-like (srvsvc + svcctl),
#   - ORD_N ordinary sessions: smbclient on public/backup$ (ls, get, put, rm of small files),
#     a few refused (wrong password, missing share),
#   - one bulk transfer: put + get of a BULK_MB random file on public.
# Clients run PAR at a time. Usage (root): bench/lib/lab-capture.sh OUT.pcap
# Environment: ADMIN_N (default 400), ORD_N (default 300), BULK_MB (default 150), PAR (default 6).
# The lab runs in its own namespaces (SW_LAB_NAME=swbench) so it never clashes with test labs.
set -euo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
OUT=${1:?usage: lab-capture.sh OUT.pcap}
ADMIN_N=${ADMIN_N:-400} ORD_N=${ORD_N:-300} BULK_MB=${BULK_MB:-150} PAR=${PAR:-6}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
REC=$REPO/captures/record.sh
export SW_LAB_NAME=${SW_LAB_NAME:-swbench}
[ "$(id -u)" = 0 ] || { echo "lab-capture.sh: must run as root" >&2; exit 1; }

"$REC" up >/dev/null
trap '"$REC" down' EXIT
eval "$("$REC" env)"
PAY=$LAB_DIR/payload
sc() { ip netns exec "$NS_CLI" smbclient -s "$LAB_DIR/client.conf" "$@"; }
sc_user() { sc -U "$WORKGROUP\\$LAB_USER%$LAB_PASS" "$@"; }
imp_lab() {
  ip netns exec "$NS_CLI" env PYTHONDONTWRITEBYTECODE=1 LAB_USER="$LAB_USER" LAB_PASS="$LAB_PASS" \
    LAB_DOMAIN="$WORKGROUP" LAB_PAYLOAD="$PAY/svcupdate.exe" /usr/bin/python3 "$REPO/captures/clients/impacket_lab.py" "$@"
}

admin_session() { # $1 = index; unique remote names so parallel clients do not collide
  local i=$1
  case $((i % 10)) in
    0) imp_lab admin-logoff "$SRV4" ;;
    5) imp_lab psexec-like "$SRV4" ;;
    1|3|7) sc_user "//$SRV4/ADMIN\$" -c "put $PAY/svcupdate.exe svc$i.exe; rm svc$i.exe" ;;
    *) sc_user "//$SRV4/C\$" -c "put $PAY/svcupdate.exe upd$i.exe; rm upd$i.exe" ;;
  esac
}

ordinary_session() {
  local i=$1
  case $((i % 20)) in
    0) sc -U "$WORKGROUP\\$LAB_USER%wrong-$i" "//$SRV4/public" -c ls || true ;;
    10) sc_user "//$SRV4/nosuch$i" -c ls || true ;;
    5|15) sc_user "//$SRV4/backup\$" -c "ls; get index.txt /dev/null" ;;
    *) sc_user "//$SRV4/public" -c "ls; get README.txt /dev/null; put $PAY/notes.txt n$i.txt; get n$i.txt /dev/null; rm n$i.txt" ;;
  esac
}

run_batch() { # $1 = function, $2 = count
  local fn=$1 n=$2 i pids=()
  for ((i = 1; i <= n; i++)); do
    "$fn" "$i" >>"$LAB_DIR/log/bench-$fn.out" 2>&1 &
    pids+=($!)
    if [ ${#pids[@]} -ge "$PAR" ]; then wait "${pids[0]}" || echo "lab-capture.sh: $fn $i failed" >&2; pids=("${pids[@]:1}"); fi
  done
  for p in "${pids[@]}"; do wait "$p" || echo "lab-capture.sh: a $fn client failed" >&2; done
}

mkdir -p "$(dirname "$OUT")"
rm -f "$OUT"
ERR=$LAB_DIR/log/bench-tcpdump.err
ip netns exec "$NS_SRV" tcpdump -i "$IF_SRV" -n -s 0 -U -B 262144 -Z root -w "$OUT" 2>"$ERR" &
TPID=$!
for _ in $(seq 100); do grep -q 'listening on' "$ERR" 2>/dev/null && break; sleep 0.05; done
sleep 0.2
t0=$SECONDS
# admin and ordinary sessions interleave; the bulk transfer runs in the middle of them
run_batch admin_session "$ADMIN_N" &
A=$!
run_batch ordinary_session "$ORD_N" &
O=$!
head -c $((BULK_MB * 1024 * 1024)) /dev/urandom >"$PAY/bulk.bin"
sleep 2
sc_user "//$SRV4/public" -c "put $PAY/bulk.bin bulk.bin; get bulk.bin $PAY/bulk.back; rm bulk.bin" >"$LAB_DIR/log/bench-bulk.out" 2>&1
cmp -s "$PAY/bulk.bin" "$PAY/bulk.back" || echo "lab-capture.sh: bulk round trip differs" >&2
rm -f "$PAY/bulk.bin" "$PAY/bulk.back"
wait $A $O || true
sleep 1
kill -INT $TPID 2>/dev/null || true
wait $TPID 2>/dev/null || true
cat "$ERR" >&2
grep -Eq '^[1-9][0-9]* packets dropped by (kernel|interface)' "$ERR" && echo "lab-capture.sh: WARNING tcpdump dropped packets" >&2
echo "lab-capture.sh: $(stat -c %s "$OUT") bytes in $((SECONDS - t0)) s -> $OUT" >&2
