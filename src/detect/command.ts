/**
 * What makes a remote service's binary path or a task's command worse (SW-0004, SW-0005,
 * SW-0013 critical): it runs a shell or script host, redirects output to a share, or names a
 * file the same source wrote to an admin share.
 */

const SHELLS = /(?:^|[\s\\/"'&|(])(cmd(?:\.exe)?|%comspec%|powershell(?:\.exe)?|pwsh(?:\.exe)?|mshta(?:\.exe)?|rundll32(?:\.exe)?|regsvr32(?:\.exe)?|wscript(?:\.exe)?|cscript(?:\.exe)?)(?=$|[\s"'&|)])/i;

/** `> \\host\share\…`, `^> \\127.0.0.1\C$\__output`, `1> \\…`, `>> "\\…"` */
const SHARE_REDIRECT = /\^?>{1,2}\s*"?\\\\[^\\\s"]+\\[^\\\s"]+/;

/** file names in a command line: the last path part of words with an extension */
const FILE_NAMES = /[^\\/\s"'%:<>|^&]+\.[A-Za-z0-9]{1,4}(?=$|[\s"'&|)^>])/g;

/** the base names (lower case) of files a command names */
export function namedFiles(cmd: string): string[] {
  const out: string[] = [];
  for (const m of cmd.matchAll(FILE_NAMES)) {
    const n = m[0].toLowerCase();
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

/** `\\a\b\c.exe`, `c.exe` → `c.exe` (lower case) */
export function baseName(path: string): string {
  const i = Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/'));
  return (i === -1 ? path : path.slice(i + 1)).toLowerCase();
}

/**
 * Why the command is critical (`runs a shell`, `redirects output to a share`, `runs X.exe,
 * which 10.0.0.5 wrote to an admin share`), or null.
 */
export function commandRisk(cmd: string | null, wrote: ((file: string) => boolean) | null): string | null {
  if (cmd === null || cmd === '') return null;
  const shell = SHELLS.exec(cmd);
  if (shell !== null) {
    if (SHARE_REDIRECT.test(cmd)) return `runs ${shell[1]} and redirects output to a share`;
    return `runs ${shell[1]}`;
  }
  if (SHARE_REDIRECT.test(cmd)) return 'redirects output to a share';
  if (wrote !== null) {
    for (const f of namedFiles(cmd)) if (wrote(f)) return `runs ${f}, a file the same source wrote to an admin share`;
  }
  return null;
}
