/**
 * `--format pretty`: one readable line per event for an operator's terminal. Every string that
 * came off the wire goes through logfmtValue (escaped, length-bounded), so a share named
 * "\x1b[31m…" or "x\nfake event" cannot forge lines or drive the terminal.
 *
 *   2026-11-23T01:02:03.123456Z smb-tree-disconnect  success 10.0.0.1:49200 -> 10.0.0.2:445 user=CORP\alice share=\\srv\C$ class=admin type=disk reason=tree_disconnect duration=2.500000s writes=1 bytes_written=4096 files=evil.exe
 *   2026-11-23T01:02:03.123456Z ALERT high(73) short-lived-admin-share SW-0001 10.0.0.1:49200 -> 10.0.0.2:445 user=CORP\alice share=\\srv\C$ duration=2.500000s msg="…"
 */
import type { Flow, LifecycleRecord, OutputRecord, SessionView, TreeView } from '../shared/records';
import { actionOf, outcomeOf, userDomain } from './ecs';
import { escapeText, logfmtValue } from './escape';
import { isoMicros, zeekInterval } from './timestamp';

const MAX_FILE_UNITS = 128;
const MAX_MESSAGE_UNITS = 512;

export function severityName(n: number): string {
  if (n >= 99) return 'critical';
  if (n >= 73) return 'high';
  if (n >= 47) return 'medium';
  if (n >= 21) return 'low';
  return 'info';
}

function endpoint(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function flowText(f: Flow): string {
  return `${endpoint(f.clientIp, f.clientPort)} -> ${endpoint(f.serverIp, f.serverPort)}`;
}

function userText(s: SessionView): string {
  const name = s.user ?? '';
  const domain = userDomain(s) ?? '';
  if (name === '') return domain === '' ? '' : ' domain=' + logfmtValue(domain);
  return ' user=' + logfmtValue(domain === '' ? name : domain + '\\' + name);
}

function treeText(t: TreeView): string {
  return ` share=${logfmtValue(t.share)} class=${t.shareClass}${t.shareType ? ' type=' + t.shareType : ''} tree=${t.treeId}`;
}

/** A file name in a comma-joined list: bare unless it needs quoting or holds a comma. */
function fileValue(f: string): string {
  return f.includes(',') ? '"' + escapeText(f, MAX_FILE_UNITS, true) + '"' : logfmtValue(f, MAX_FILE_UNITS);
}

/** The fields after the flow, per record kind (shared by an event and the alert about it). */
function detailText(rec: LifecycleRecord): string {
  const s = rec.session;
  let out = userText(s);
  switch (rec.kind) {
    case 'session-setup':
      out += ` auth=${rec.auth} status=${logfmtValue(rec.status)}`;
      break;
    case 'session-end':
      out += ` reason=${rec.reason} duration=${zeekInterval(rec.durationNs)}s trees=${rec.trees}`;
      break;
    case 'tree-connect':
      out += treeText(rec.tree) + ` status=${logfmtValue(rec.tree.status)}`;
      break;
    case 'tree-disconnect': {
      const a = rec.activity;
      out += treeText(rec.tree) + ` reason=${rec.reason} duration=${zeekInterval(rec.durationNs)}s`;
      if (a.creates) out += ` creates=${a.creates}`;
      if (a.reads) out += ` reads=${a.reads} bytes_read=${a.bytesRead}`;
      if (a.writes) out += ` writes=${a.writes} bytes_written=${a.bytesWritten}`;
      if (a.ioctls) out += ` ioctls=${a.ioctls}`;
      if (rec.files.length) out += ' files=' + rec.files.slice(0, 16).map(fileValue).join(',');
      break;
    }
    case 'encrypted-session':
      out += ` reason=${rec.reason} duration=${zeekInterval(rec.durationNs)}s messages=${rec.messages} bytes=${rec.bytes}`;
      break;
    case 'dcerpc-call': {
      if (rec.pipe !== null) out += ` pipe=${logfmtValue(rec.pipe)}`;
      out += ` rpc=${logfmtValue(rec.interfaceName)}.${logfmtValue(rec.operation)}`;
      if (rec.returnCode !== null) out += ` rc=${logfmtValue(rec.returnCode)}`;
      if (rec.fault !== null) out += ` fault=${logfmtValue(rec.fault)}`;
      if (rec.durationNs !== null) out += ` duration=${zeekInterval(rec.durationNs)}s`;
      if (rec.encrypted) out += ' sealed';
      for (const k of Object.keys(rec.args)) {
        const v = rec.args[k];
        const text = Array.isArray(v) ? v.join(',') : String(v);
        out += ` ${k}=${logfmtValue(text, MAX_FILE_UNITS)}`;
      }
      break;
    }
    case 'inferred-tree': {
      const c = rec.shareCandidates.map(fileValue).join(',');
      out += ` inferred share_length=${rec.shareNameLength} candidates=${c === '' ? '-' : c} class=${rec.shareClass} confidence=${rec.confidence}`;
      out += ` reason=${rec.reason} duration=${zeekInterval(rec.durationNs)}s`;
      if (rec.activity.creates) out += ` creates=${rec.activity.creates}`;
      if (rec.activity.writes) out += ` writes=${rec.activity.writes} bytes_written=${rec.activity.bytesWritten}`;
      break;
    }
  }
  if (s.version !== null) out += ` smb=${logfmtValue(s.version)}`;
  if (s.sessionId !== null) out += ` sid=${logfmtValue(s.sessionId)}`;
  if (s.workstation) out += ` ws=${logfmtValue(s.workstation)}`;
  return out;
}

/** One line, newline-terminated. */
export function formatPretty(rec: OutputRecord): string {
  const ts = isoMicros(rec.ts);
  if (rec.kind === 'alert') {
    const head = `${ts} ALERT ${severityName(rec.severity)}(${rec.severity}) ${logfmtValue(rec.ruleName)} ${logfmtValue(rec.ruleId)}`;
    const count = rec.count !== null ? ` repeats=${rec.count}` : '';
    return `${head}${count} ${flowText(rec.about.flow)}${detailText(rec.about)} msg="${escapeText(rec.message, MAX_MESSAGE_UNITS, true)}"\n`;
  }
  const action = actionOf(rec).padEnd(21);
  return `${ts} ${action} ${outcomeOf(rec).padEnd(7)} ${flowText(rec.flow)}${detailText(rec)}\n`;
}
