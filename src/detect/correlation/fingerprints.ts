/**
 * Tool fingerprints of the lateral-movement chain (contract SW-0012 `lateral_movement.tool`), as
 * data: the first row (in table order) that matches any step of a chain names its tool. Rows
 * look at a step's service/task name (`object`), its command line, the named pipes its SMB
 * session opened, or the files its tree wrote (base names).
 */
import type { Step } from './steps';

type Field = 'object' | 'command' | 'pipe' | 'file';

interface Fingerprint {
  readonly tool: string;
  readonly field: Field;
  readonly pattern: RegExp;
  /** why (README, tests) */
  readonly note: string;
}

export const FINGERPRINTS: readonly Fingerprint[] = [
  { tool: 'psexec', field: 'object', pattern: /^psexesvc/i, note: 'Sysinternals PsExec installs the PSEXESVC service' },
  { tool: 'psexec', field: 'pipe', pattern: /^psexesvc/i, note: 'PsExec talks over PSEXESVC(-HOST-PID-stdin/out/err) pipes' },
  { tool: 'psexec', field: 'file', pattern: /^psexesvc\.exe$/i, note: 'PsExec copies PSEXESVC.exe to ADMIN$' },
  { tool: 'impacket-psexec', field: 'pipe', pattern: /^remcom_/i, note: "impacket psexec's RemComSvc pipes" },
  { tool: 'crackmapexec', field: 'command', pattern: /\\windows\\temp\\[a-z]+(?=$|[\s"'&])/i, note: 'CrackMapExec writes output to Windows\\Temp\\<letters>' },
  { tool: 'smbexec', field: 'command', pattern: /\\\\[^\\\s]+\\c\$\\__output/i, note: "impacket smbexec echoes the command's output into \\\\…\\C$\\__output" },
  { tool: 'atexec', field: 'command', pattern: /%windir%\\temp\\[a-z]{8}\.tmp/i, note: 'impacket atexec redirects to %windir%\\Temp\\<8 letters>.tmp' },
  { tool: 'wmiexec', field: 'command', pattern: /\\\\[^\\\s]+\\admin\$\\__\d+(\.\d+)?/i, note: 'impacket wmiexec redirects to \\\\127.0.0.1\\ADMIN$\\__<epoch>.<n>' },
  { tool: 'wmiexec', field: 'file', pattern: /^__\d+\.\d+$/, note: 'wmiexec output file ADMIN$\\__<epoch>.<n>' },
  { tool: 'impacket-psexec', field: 'file', pattern: /^[a-z]{8}\.exe$/i, note: 'impacket psexec uploads a random 8-letter .exe to ADMIN$' },
];

function values(s: Step, field: Field): readonly string[] {
  switch (field) {
    case 'object':
      return s.object === null ? [] : [s.object];
    case 'command':
      return s.command === null ? [] : [s.command];
    case 'pipe':
      return s.pipes;
    case 'file':
      return s.share === 'admin$' || s.share === 'c$' ? s.files : [];
  }
}

/** The tool the chain's steps fingerprint, or null. */
export function toolOf(steps: readonly Step[]): string | null {
  for (const fp of FINGERPRINTS) {
    for (const s of steps) {
      for (const v of values(s, fp.field)) if (fp.pattern.test(v)) return fp.tool;
    }
  }
  return null;
}
