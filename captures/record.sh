#!/usr/bin/env bash
# Real-traffic SMB lab: two network namespaces joined by a veth pair, Samba smbd in one, clients
# (Samba smbclient, impacket) in the other; each scenario is recorded with tcpdump on the server
# side of the veth. Everything stays inside the two private namespaces.
#
# Usage (root):
#   captures/record.sh [--out DIR] [SCENARIO…]   record scenarios into DIR/NAME.pcap (default:
#                                                 captures/, all committed scenarios)
#   captures/record.sh --bulk                     record the on-demand bulk transfer into bench/cache/
#   captures/record.sh list                       list scenarios (committed ones first)
#   captures/record.sh up [--smb1]                start the lab and leave it running
#   captures/record.sh drive SCENARIO             run a scenario's clients against a running lab
#   captures/record.sh capture SCENARIO FILE      record one scenario of a running lab into FILE
#   captures/record.sh down                       stop smbd, delete namespaces and the lab dir
#   captures/record.sh env                        print the lab's names and addresses (KEY=VALUE)
#
# Environment: SW_LAB_NAME (default swlab) names the namespaces NAME-srv / NAME-cli, so several
# labs can run side by side; SW_LAB_DIR (default /tmp/sharewatch-lab-NAME) holds config and state.
# The script is idempotent: `up` tears down whatever a previous run with the same name left.
set -euo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
LAB_NAME=${SW_LAB_NAME:-swlab}
LAB_DIR=${SW_LAB_DIR:-/tmp/sharewatch-lab-$LAB_NAME}
NS_SRV=$LAB_NAME-srv
NS_CLI=$LAB_NAME-cli
IF_SRV=sw-srv0            # interface names live inside the namespaces, so labs never clash
IF_CLI=sw-cli0
SRV4=10.99.0.1 CLI4=10.99.0.2
SRV6=fd99::1 CLI6=fd99::2
WORKGROUP=SWLAB
NETBIOS=SWSRV
LAB_USER=${SW_LAB_USER:-swalice}   # a local account made just for the lab
LAB_PASS='Lab-Passw0rd!'
PY=/usr/bin/python3                # impacket lives in Debian's python, not in a pyenv one
IMPACKET_EX=/usr/share/doc/python3-impacket/examples

# Inference twins (issue 21): each NAME is recorded as NAME-enc (SMB3 encrypted: impacket's
# default, smbclient --client-protection=encrypt) and NAME-clear (the same commands in the clear:
# impacket at SMB 2.1, smbclient signing only), so every inferred tree has a plaintext twin.
INFERENCE_TWINS=(inf-imp-admin-upload inf-imp-c-list inf-imp-share5-upload inf-imp-share2-upload
  inf-imp-share6-upload inf-imp-many-trees inf-sc-admin-upload inf-sc-c-list inf-sc-share5-upload
  inf-sc-idle)
# How long inf-long holds its trees: beyond SW-0001's 300 s low tier.
INF_LONG_SECONDS=${SW_INF_LONG_SECONDS:-310}
COMMITTED=(c-drop-delete admin-logoff long-lived wrong-password missing-share anon-ipc smb1
  port139 ipv6 smb3-encrypted smb3-share-encrypted hidden-share many-sessions psexec-like impacket-smbclient
  "${INFERENCE_TWINS[@]/%/-enc}" "${INFERENCE_TWINS[@]/%/-clear}" inf-long
  psexec-probe denied-storm fin-rst nbss-root admin-hold-exe
  lat-psexec lat-smbexec lat-atexec lat-services lat-reg-run lat-samrdump lat-lookupsid lat-rpcdump)
# Lateral-movement tools (impacket examples) against a Samba that answers svcctl for the lab user
# (`admin users`) at SMB 2.1 (impacket encrypts SMB 3 sessions): see MANIFEST.md for what each
# really does on the wire and what it must yield.
LATERAL=(lat-psexec lat-smbexec lat-atexec lat-services lat-reg-run lat-samrdump lat-lookupsid lat-rpcdump)
ON_DEMAND=(bulk)

log() { printf 'record.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
in_srv() { ip netns exec "$NS_SRV" "$@"; }
in_cli() { ip netns exec "$NS_CLI" "$@"; }

need_root() { [ "$(id -u)" = 0 ] || die "must run as root (network namespaces, smbd, tcpdump)"; }

need_tools() {
  local missing=() t
  for t in ip smbd smbclient smbpasswd tcpdump useradd; do
    command -v "$t" >/dev/null 2>&1 || missing+=("$t")
  done
  [ -x "$PY" ] && "$PY" -c 'import impacket' 2>/dev/null || missing+=("python3-impacket")
  [ ${#missing[@]} = 0 ] || die "missing tools: ${missing[*]} (apt-get install samba smbclient tcpdump iproute2 python3-impacket)"
  if ! command -v ethtool >/dev/null 2>&1; then
    # Same way CI installs packages; without ethtool GRO/TSO would glue segments into giant frames.
    log "ethtool missing, installing it with apt-get"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q ethtool >/dev/null 2>&1 \
      || log "warning: could not install ethtool; offloads stay on (frames may exceed the MTU)"
  fi
}

# --- lab lifecycle ---------------------------------------------------------------------------

smbd_pid() { cat "$LAB_DIR/run/smbd.pid" 2>/dev/null || true; }

stop_smbd() {
  local pid; pid=$(smbd_pid)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$LAB_DIR/run/smbd.pid"
  # smbd children (one per client connection) and helpers of this lab's namespace only.
  if ip netns pids "$NS_SRV" >/dev/null 2>&1; then
    local p; for p in $(ip netns pids "$NS_SRV"); do kill -KILL "$p" 2>/dev/null || true; done
  fi
}

lab_down() {
  stop_smbd
  if ip netns pids "$NS_CLI" >/dev/null 2>&1; then
    local p; for p in $(ip netns pids "$NS_CLI"); do kill -KILL "$p" 2>/dev/null || true; done
  fi
  ip netns del "$NS_SRV" 2>/dev/null || true
  ip netns del "$NS_CLI" 2>/dev/null || true
  rm -rf "$LAB_DIR"
}

write_payloads() {
  local d=$LAB_DIR/payload
  mkdir -p "$d"
  # A small MZ/PE-looking executable: DOS header, stub message, PE signature, zero padding.
  {
    printf 'MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00'
    printf '\xb8\x00\x00\x00\x00\x00\x00\x00\x40\x00\x00\x00\x00\x00\x00\x00'
    head -c 28 /dev/zero
    printf '\x80\x00\x00\x00'
    printf '\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21\xb8\x01\x4c\xcd\x21'
    printf 'This program cannot be run in DOS mode.\r\r\n$'
    head -c 18 /dev/zero
    printf 'PE\x00\x00\x64\x86'
    head -c 4000 /dev/zero
  } >"$d/svcupdate.exe"
  printf 'quarterly numbers\n' >"$d/report.txt"
  seq 1 2000 >"$d/notes.txt"
}

write_server_conf() { # $1 = extra global lines
  cat >"$LAB_DIR/smb.conf" <<EOF
# sharewatch lab server (generated by captures/record.sh; template: captures/smb.conf.in)
$(sed -e "s|@LAB@|$LAB_DIR|g" -e "s|@WORKGROUP@|$WORKGROUP|g" -e "s|@NETBIOS@|$NETBIOS|g" \
      -e "s|@USER@|$LAB_USER|g" "$HERE/smb.conf.in")
EOF
  if [ -n "${1:-}" ]; then
    # Per-scenario global overrides go at the end of [global] (the last setting wins).
    local tmp; tmp=$(mktemp)
    awk -v extra="$1" '/^\[/ && !/^\[global\]/ && !done {print extra; done=1} {print}' "$LAB_DIR/smb.conf" >"$tmp"
    mv "$tmp" "$LAB_DIR/smb.conf"
    if [[ "$1" == *'# admin shares browseable'* ]]; then
      # ADMIN$ first, as Windows enumerates it, then C$
      awk '/^\[(ADMIN|C)\$\]/ {sec=1} /^\[/ && !/^\[(ADMIN|C)\$\]/ {sec=0} sec && /browseable = no/ {sub(/no/, "yes")} {print}' \
        "$LAB_DIR/smb.conf" >"$tmp" && mv "$tmp" "$LAB_DIR/smb.conf"
    fi
  fi
  cat >"$LAB_DIR/client.conf" <<EOF
[global]
  workgroup = $WORKGROUP
  netbios name = SWCLIENT
  lock directory = $LAB_DIR/cli/lock
  state directory = $LAB_DIR/cli/state
  cache directory = $LAB_DIR/cli/cache
  private dir = $LAB_DIR/cli/private
  log file = $LAB_DIR/log/client.log
  name resolve order = host
  client min protocol = SMB2_02
EOF
}

start_smbd() { # $1 = extra global lines for smb.conf
  stop_smbd
  write_server_conf "${1:-}"
  printf '%s' "${1:-}" >"$LAB_DIR/server.extra"
  # -D: smbd daemonizes into its own session/process group. (With --no-process-group it would
  # share ours, and on SIGTERM it signals its whole process group, this script included.)
  in_srv smbd -D -s "$LAB_DIR/smb.conf" </dev/null >/dev/null 2>&1
  local i
  for i in $(seq 100); do
    if in_srv ss -ltnH 'sport = :445' 2>/dev/null | grep -q . \
       && in_srv ss -ltnH 'sport = :139' 2>/dev/null | grep -q .; then
      return 0
    fi
    sleep 0.1
  done
  tail -n 30 "$LAB_DIR/log/"*smbd* >&2 2>/dev/null || true
  die "smbd did not start listening on 445/139 in $NS_SRV"
}

lab_up() { # $1 = extra global lines for smb.conf
  need_root; need_tools
  lab_down
  mkdir -p "$LAB_DIR"/{run,lock,state,cache,private,log,ncalrpc,cli/lock,cli/state,cli/cache,cli/private}
  mkdir -p "$LAB_DIR"/shares/{c,admin,public,backup,secure,sales,hr}
  chmod 0755 "$LAB_DIR"
  ip netns add "$NS_SRV"
  ip netns add "$NS_CLI"
  ip -n "$NS_SRV" link add "$IF_SRV" type veth peer name "$IF_CLI" netns "$NS_CLI"
  local ns ifc
  for ns in "$NS_SRV:$IF_SRV" "$NS_CLI:$IF_CLI"; do
    ifc=${ns#*:}; ns=${ns%%:*}
    ip -n "$ns" link set lo up
    ip -n "$ns" link set "$ifc" mtu 1500
    if command -v ethtool >/dev/null 2>&1; then
      # Segmentation/receive offloads off so every frame is a real ≤1500-byte wire frame; tx
      # checksum off so captured checksums are the computed ones.
      ip netns exec "$ns" ethtool -K "$ifc" tso off gso off gro off tx off rx off >/dev/null 2>&1 \
        || ip netns exec "$ns" ethtool -K "$ifc" tso off gso off gro off >/dev/null 2>&1 || true
    fi
    ip netns exec "$ns" sysctl -qw net.ipv6.conf."$ifc".accept_dad=0 >/dev/null
  done
  ip -n "$NS_SRV" addr add "$SRV4/24" dev "$IF_SRV"
  ip -n "$NS_CLI" addr add "$CLI4/24" dev "$IF_CLI"
  ip -n "$NS_SRV" addr add "$SRV6/64" dev "$IF_SRV" nodad
  ip -n "$NS_CLI" addr add "$CLI6/64" dev "$IF_CLI" nodad
  ip -n "$NS_SRV" link set "$IF_SRV" up
  ip -n "$NS_CLI" link set "$IF_CLI" up

  # Two labs starting together may race to create the account; either one winning is fine.
  id "$LAB_USER" >/dev/null 2>&1 || useradd -M -N -s /usr/sbin/nologin -d /nonexistent "$LAB_USER" 2>/dev/null \
    || id "$LAB_USER" >/dev/null 2>&1 || die "cannot create local user $LAB_USER"
  chown "$LAB_USER" "$LAB_DIR"/shares/*
  chmod 0775 "$LAB_DIR"/shares/*
  printf 'lab share\n' >"$LAB_DIR/shares/public/README.txt"
  printf 'old backup index\n' >"$LAB_DIR/shares/backup/index.txt"
  write_payloads
  start_smbd "${1:-}"
  printf '%s\n%s\n' "$LAB_PASS" "$LAB_PASS" \
    | smbpasswd -c "$LAB_DIR/smb.conf" -s -a "$LAB_USER" >/dev/null
  # Reachability over both families (a plain TCP connect: ping may not be installed); this also
  # fills the neighbour caches so recordings do not start with ARP/ND.
  in_cli timeout 5 bash -c "exec 3<>/dev/tcp/$SRV4/445" 2>/dev/null || die "no IPv4 path $CLI4 -> $SRV4:445"
  in_cli timeout 5 bash -c "exec 3<>/dev/tcp/$SRV6/445" 2>/dev/null || die "no IPv6 path $CLI6 -> [$SRV6]:445"
}

lab_env() {
  cat <<EOF
LAB_NAME=$LAB_NAME
LAB_DIR=$LAB_DIR
NS_SRV=$NS_SRV
NS_CLI=$NS_CLI
IF_SRV=$IF_SRV
IF_CLI=$IF_CLI
SRV4=$SRV4
CLI4=$CLI4
SRV6=$SRV6
CLI6=$CLI6
WORKGROUP=$WORKGROUP
NETBIOS=$NETBIOS
LAB_USER=$LAB_USER
LAB_PASS=$LAB_PASS
EOF
}

# --- clients ---------------------------------------------------------------------------------

# Samba smbclient in the client namespace with the lab's client config.
sc() { in_cli smbclient -s "$LAB_DIR/client.conf" "$@"; }
sc_user() { sc -U "$WORKGROUP\\$LAB_USER%$LAB_PASS" "$@"; }
# impacket example scripts and the lab's own impacket client.
imp_ex() { local s=$1; shift; in_cli env PYTHONDONTWRITEBYTECODE=1 "$PY" "$IMPACKET_EX/$s" "$@"; }
imp_lab() {
  in_cli env PYTHONDONTWRITEBYTECODE=1 LAB_USER="$LAB_USER" LAB_PASS="$LAB_PASS" \
    LAB_DOMAIN="$WORKGROUP" LAB_PAYLOAD="$LAB_DIR/payload/svcupdate.exe" LAB_HOLD="${LAB_HOLD:-310}" \
    "$PY" "$HERE/clients/impacket_lab.py" "$@"
}

# Server config a scenario needs on top of the template ("" = template as is).
scenario_server_conf() {
  case "$1" in
    smb1) printf '  server min protocol = NT1\n' ;;
    # SMB 2.1 at most (impacket would encrypt 3.x), the lab user a Samba admin (svcctl, winreg)
    # ADMIN$ and C$ listed by NetrShareEnum as Windows lists them (psexec.py uploads to the first
    # writable share it enumerates): the marker comment makes write_server_conf show them.
    lat-*) printf '  server max protocol = SMB2_10\n  admin users = %s\n  # admin shares browseable\n' "$LAB_USER" ;;
    *) printf '' ;;
  esac
}

# Each scenario's client side. Output goes to the lab log; failures the scenario expects (wrong
# password, missing share, Samba refusing svcctl) are tolerated, anything else aborts.
drive() {
  local name=$1 pay=$LAB_DIR/payload
  case "$name" in
    c-drop-delete)
      sc_user "//$SRV4/C\$" -c "put $pay/svcupdate.exe svcupdate.exe; rm svcupdate.exe"
      ;;
    admin-logoff)
      imp_lab admin-logoff "$SRV4"
      ;;
    impacket-smbclient)
      # impacket's own smbclient.py example: it negotiates SMB 3.0 and encrypts the session.
      printf 'use ADMIN$\nput %s\nrm svcupdate.exe\nlogoff\n' "$pay/svcupdate.exe" >"$LAB_DIR/impacket-smbclient.cmds"
      imp_ex smbclient.py -file "$LAB_DIR/impacket-smbclient.cmds" \
        "$WORKGROUP/$LAB_USER:$LAB_PASS@$SRV4"
      ;;
    long-lived)
      { echo 'ls'; sleep 8; echo "put $pay/notes.txt notes.txt"; sleep 8; echo 'ls';
        sleep 8; echo 'rm notes.txt'; echo 'ls'; sleep 2; echo 'exit'; } \
        | sc_user "//$SRV4/public"
      ;;
    wrong-password)
      sc -U "$WORKGROUP\\$LAB_USER%not-the-password" "//$SRV4/public" -c 'ls' && die "wrong password accepted"
      true
      ;;
    missing-share)
      sc_user "//$SRV4/nosuchshare" -c 'ls' && die "missing share connected"
      true
      ;;
    anon-ipc)
      sc -N -L "//$SRV4"
      ;;
    smb1)
      sc_user -m NT1 --option='client min protocol=NT1' "//$SRV4/public" \
        -c "ls; put $pay/report.txt report.txt; rm report.txt"
      ;;
    port139)
      sc_user -p 139 "//$NETBIOS/public" -I "$SRV4" -c 'ls'
      ;;
    ipv6)
      sc_user "//$NETBIOS/public" -I "$SRV6" -c "ls; put $pay/report.txt report6.txt; rm report6.txt"
      ;;
    smb3-encrypted)
      # The client requires encryption: everything after SESSION_SETUP is in transform headers.
      sc_user -m SMB3_11 --client-protection=encrypt "//$SRV4/secure" \
        -c "put $pay/report.txt report.txt; ls; rm report.txt"
      ;;
    smb3-share-encrypted)
      # Only the share requires encryption: TREE_CONNECT in clear, the rest encrypted.
      sc_user -m SMB3_11 "//$SRV4/secure" -c "put $pay/report.txt report.txt; ls; rm report.txt"
      ;;
    hidden-share)
      sc_user "//$SRV4/backup\$" -c "ls; put $pay/report.txt report.txt; rm report.txt"
      ;;
    many-sessions)
      local i pids=()
      for i in $(seq 1 20); do
        sc_user "//$SRV4/public" -c 'ls' >"$LAB_DIR/log/many-$i.out" 2>&1 & pids+=($!)
      done
      local p rc=0; for p in "${pids[@]}"; do wait "$p" || rc=1; done
      [ $rc = 0 ] || die "a many-sessions client failed (see $LAB_DIR/log/many-*.out)"
      ;;
    psexec-like)
      imp_lab psexec-like "$SRV4"
      ;;
    inf-*-enc|inf-*-clear)
      local mode=${name##*-} base=${name%-*}
      # smbclient: encrypted twin requires encryption (SMB 3.1.1); clear twin signs only (3.1.1).
      local prot=(--client-protection=sign)
      [ "$mode" = enc ] && prot=(--client-protection=encrypt)
      case "$base" in
        inf-imp-admin-upload) imp_lab inf-upload "$SRV4" "$mode" 'ADMIN$' ;;
        inf-imp-c-list) imp_lab inf-list "$SRV4" "$mode" 'C$' ;;
        inf-imp-share5-upload) imp_lab inf-upload "$SRV4" "$mode" sales ;;
        inf-imp-share2-upload) imp_lab inf-upload "$SRV4" "$mode" hr ;;
        inf-imp-share6-upload) imp_lab inf-upload "$SRV4" "$mode" public ;;
        inf-imp-many-trees) imp_lab inf-many "$SRV4" "$mode" ;;
        inf-sc-admin-upload)
          sc_user -m SMB3_11 "${prot[@]}" "//$SRV4/ADMIN\$" -c "put $pay/svcupdate.exe svcupdate.exe; rm svcupdate.exe" ;;
        inf-sc-c-list) sc_user -m SMB3_11 "${prot[@]}" "//$SRV4/C\$" -c 'ls' ;;
        inf-sc-share5-upload)
          sc_user -m SMB3_11 "${prot[@]}" "//$SRV4/sales" -c "put $pay/svcupdate.exe svcupdate.exe; ls; rm svcupdate.exe" ;;
        inf-sc-idle)
          # interactive smbclient on ADMIN$ idling between commands: it sends SMB2 ECHO (68/68,
          # the sizes of TREE_DISCONNECT and LOGOFF) every few seconds
          { echo ls; sleep 12; echo ls; sleep 12; echo exit; } | sc_user -m SMB3_11 "${prot[@]}" "//$SRV4/ADMIN\$" ;;
        *) die "unknown scenario: $name (see: record.sh list)" ;;
      esac
      ;;
    inf-long)
      # Both twins at once (two connections in one capture): ADMIN$ held INF_LONG_SECONDS.
      imp_lab inf-long "$SRV4" enc 'ADMIN$' "$INF_LONG_SECONDS" >"$LAB_DIR/log/inf-long-enc.out" 2>&1 & local p1=$!
      imp_lab inf-long "$SRV4" clear 'ADMIN$' "$INF_LONG_SECONDS" >"$LAB_DIR/log/inf-long-clear.out" 2>&1 & local p2=$!
      local rc=0; wait $p1 || rc=1; wait $p2 || rc=1
      [ $rc = 0 ] || die "an inf-long client failed (see $LAB_DIR/log/inf-long-*.out)"
      ;;
    lat-*)
      # The tools fail where Samba does not implement what they ask (services are not really
      # created, tasks not scheduled): the requests are on the wire all the same. A tool's own
      # exit status is therefore not checked; `timeout` bounds the interactive ones.
      local tgt="$WORKGROUP/$LAB_USER:$LAB_PASS@$SRV4"
      case "$name" in
        lat-psexec) echo exit | timeout 60 ip netns exec "$NS_CLI" env PYTHONDONTWRITEBYTECODE=1 "$PY" "$IMPACKET_EX/psexec.py" "$tgt" cmd.exe || true ;;
        lat-smbexec) echo exit | timeout 60 ip netns exec "$NS_CLI" env PYTHONDONTWRITEBYTECODE=1 "$PY" "$IMPACKET_EX/smbexec.py" "$tgt" || true ;;
        lat-atexec) timeout 60 ip netns exec "$NS_CLI" env PYTHONDONTWRITEBYTECODE=1 "$PY" "$IMPACKET_EX/atexec.py" "$tgt" whoami || true ;;
        lat-services)
          imp_ex services.py "$tgt" create -name SWUPDATE -display 'SW Update' -path '%COMSPEC% /c C:\Windows\Temp\svcupdate.exe' || true
          imp_ex services.py "$tgt" start -name SWUPDATE || true
          imp_ex services.py "$tgt" delete -name SWUPDATE || true
          ;;
        lat-reg-run)
          # Samba's registry has no ...\Windows\CurrentVersion\Run: create the path, then the value
          local k='HKLM\SOFTWARE\Microsoft\Windows'
          for k in "$k" "$k\CurrentVersion" "$k\CurrentVersion\Run"; do imp_ex reg.py "$tgt" add -keyName "$k" || true; done
          imp_ex reg.py "$tgt" add -keyName "$k" -v SWUpdate -vt REG_SZ -vd 'C:\Windows\Temp\svcupdate.exe' || true
          ;;
        lat-samrdump) imp_ex samrdump.py "$tgt" || true ;;
        lat-lookupsid) imp_ex lookupsid.py "$tgt" 600 || true ;;
        lat-rpcdump) timeout 60 ip netns exec "$NS_CLI" env PYTHONDONTWRITEBYTECODE=1 "$PY" "$IMPACKET_EX/rpcdump.py" -port 135 "$tgt" || true ;;
      esac
      ;;
    psexec-probe|denied-storm|fin-rst|nbss-root)
      imp_lab "$name" "$SRV4"
      ;;
    admin-hold-exe)
      # ADMIN$ held 310 s (the default hold; LAB_HOLD overrides it): records for about 5.5 minutes
      imp_lab admin-hold-exe "$SRV4"
      ;;
    bulk)
      head -c $((40 * 1024 * 1024)) /dev/urandom >"$LAB_DIR/payload/bulk.bin"
      sc_user "//$SRV4/public" -c "put $LAB_DIR/payload/bulk.bin bulk.bin; get bulk.bin $LAB_DIR/payload/bulk.back; rm bulk.bin"
      cmp -s "$LAB_DIR/payload/bulk.bin" "$LAB_DIR/payload/bulk.back" || die "bulk round trip differs"
      rm -f "$LAB_DIR/payload/bulk.bin" "$LAB_DIR/payload/bulk.back"
      ;;
    *) die "unknown scenario: $name (see: record.sh list)" ;;
  esac
}

# --- recording -------------------------------------------------------------------------------

# Restarts smbd when the scenario needs another server config than the running one.
ensure_server_conf() {
  local want; want=$(scenario_server_conf "$1")
  if [ "$want" != "$(cat "$LAB_DIR/server.extra" 2>/dev/null)" ] || [ -z "$(smbd_pid)" ]; then
    start_smbd "$want"
  fi
}

# SIGINT is what tcpdump expects; a shell may start background jobs with SIGINT ignored, so
# fall back to SIGTERM (also a clean stop: tcpdump flushes and closes the file on both).
stop_capture() {
  local pid=$1
  kill -INT "$pid" 2>/dev/null || true
  for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -TERM "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
}

record_one() { # $1 = scenario, $2 = output file
  local name=$1 out=$2
  ensure_server_conf "$name"
  mkdir -p "$(dirname "$out")"
  rm -f "$out"
  local err=$LAB_DIR/log/tcpdump-$name.err
  # -B: a 128 MB kernel buffer so the bulk transfer over the veth loses nothing.
  # -Z root: Debian's tcpdump drops to user tcpdump, who may not write into the repo.
  # Started directly (not through a function) so $! is tcpdump itself: `ip netns exec` execs it.
  ip netns exec "$NS_SRV" tcpdump -i "$IF_SRV" -n -s 0 -U -B 131072 -Z root -w "$out" 2>"$err" &
  local tpid=$!
  local i; for i in $(seq 100); do grep -q 'listening on' "$err" 2>/dev/null && break; sleep 0.05; done
  grep -q 'listening on' "$err" || { stop_capture $tpid; cat "$err" >&2; die "tcpdump did not start"; }
  sleep 0.2
  local t0=$SECONDS rc=0
  ( drive "$name" ) >"$LAB_DIR/log/$name.out" 2>&1 || rc=$?
  sleep 1   # let FIN/ACK and any late responses reach the wire
  stop_capture $tpid
  if grep -Eq '^[1-9][0-9]* packets dropped by (kernel|interface)' "$err"; then
    cat "$err" >&2; die "tcpdump dropped packets while recording $name; the capture is incomplete"
  fi
  if [ $rc != 0 ]; then
    cat "$LAB_DIR/log/$name.out" >&2
    die "scenario $name failed (exit $rc)"
  fi
  log "$name: $(stat -c %s "$out") bytes, $((SECONDS - t0)) s -> $out"
}

main() {
  local cmd=${1:-}
  case "$cmd" in
    list) printf '%s\n' "${COMMITTED[@]}" "${ON_DEMAND[@]}"; return ;;
    env) lab_env; return ;;
    up) shift; need_root
        if [ "${1:-}" = --smb1 ]; then lab_up "$(scenario_server_conf smb1)"; else lab_up ""; fi
        lab_env; return ;;
    down) need_root; lab_down; return ;;
    drive) need_root; [ -n "${2:-}" ] || die "drive needs a scenario"
           [ -f "$LAB_DIR/smb.conf" ] || die "lab $LAB_NAME is not up (record.sh up)"
           ensure_server_conf "$2"; drive "$2"; return ;;
    capture) need_root; [ -n "${2:-}" ] && [ -n "${3:-}" ] || die "capture needs SCENARIO FILE"
           [ -f "$LAB_DIR/smb.conf" ] || die "lab $LAB_NAME is not up (record.sh up)"
           record_one "$2" "$3"; return ;;
  esac

  local out=$HERE scenarios=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --out) out=$2; shift 2 ;;
      --bulk) scenarios+=(bulk); out=$REPO/bench/cache; shift ;;
      -h|--help) sed -n '2,21p' "${BASH_SOURCE[0]}"; return ;;
      -*) die "unknown option $1" ;;
      *) scenarios+=("$1"); shift ;;
    esac
  done
  [ ${#scenarios[@]} -gt 0 ] || scenarios=("${COMMITTED[@]}")
  need_root
  trap lab_down EXIT
  lab_up ""
  local s; for s in "${scenarios[@]}"; do record_one "$s" "$out/$s.pcap"; done
}

main "$@"
