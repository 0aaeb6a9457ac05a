/**
 * Escaping of attacker-controlled strings (share, user, domain, workstation, file names, alert
 * messages) for the text formats. NDJSON needs none beyond JSON.stringify.
 */

/** Longest escaped value the text formats print, in UTF-16 code units of the input. */
export const MAX_TEXT_UNITS = 256;

/**
 * Code points that are printable but change how a line reads: bidi overrides/isolates
 * (Trojan Source), zero-width characters, line/paragraph separators, BOM, interlinear annotation.
 */
function isInvisible(cp: number): boolean {
  return (
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x2028 && cp <= 0x202e) ||
    (cp >= 0x2060 && cp <= 0x206f) ||
    cp === 0xfeff ||
    (cp >= 0xfff9 && cp <= 0xfffb) ||
    cp === 0x00ad ||
    cp === 0x061c ||
    cp === 0x180e ||
    (cp >= 0xe0000 && cp <= 0xe007f) // tags
  );
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/**
 * Text for a terminal/log line: printable ASCII and printable non-ASCII kept; C0 controls and DEL
 * as \xNN; C1 controls, lone surrogates, noncharacters and invisible/bidi characters as \uNNNN
 * (astral ones as \U{NNNNN}). `quote` adds `\"` and `\\` (inside a quoted value). At most
 * `max` input code units are shown; the rest is replaced by `…(+N)`.
 */
export function escapeText(s: string, max = MAX_TEXT_UNITS, quote = false): string {
  let out = '';
  const end = Math.min(s.length, max);
  let i = 0;
  for (; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f) {
      if (quote && (c === 0x22 || c === 0x5c)) out += '\\' + s[i];
      else out += s[i];
      continue;
    }
    if (c < 0x20 || c === 0x7f) {
      out += '\\x' + hex(c, 2);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        // a pair straddling the bound is dropped whole (never half a character)
        if (i + 1 >= end) break;
        const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        if (isInvisible(cp) || (cp & 0xfffe) === 0xfffe || (cp >= 0xf0000)) out += '\\U{' + hex(cp, 5) + '}';
        else out += s[i]! + s[i + 1]!;
        i++;
        continue;
      }
    }
    if (
      (c >= 0x80 && c <= 0x9f) ||
      (c >= 0xd800 && c <= 0xdfff) || // lone surrogate
      (c >= 0xfdd0 && c <= 0xfdef) ||
      c === 0xfffe ||
      c === 0xffff ||
      (c >= 0xe000 && c <= 0xf8ff) || // private use: renders as anything
      isInvisible(c)
    ) {
      out += '\\u' + hex(c, 4);
      continue;
    }
    out += s[i];
  }
  if (i < s.length) out += `…(+${s.length - i})`;
  return out;
}

/** True when a value can be printed bare in a key=value line (nothing to escape, no space/quote/=). */
function isBare(s: string, max: number): boolean {
  if (s.length === 0 || s.length > max) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c === 0x22 || c === 0x3d || c >= 0x7f) return false;
  }
  return true;
}

/**
 * A logfmt-style value: bare when it is plain printable ASCII without space, `"` or `=`
 * (`\\srv\C$` stays readable), else double-quoted with `\"`, `\\` and the escapes of escapeText.
 * Non-ASCII text is quoted so that an unambiguous reading is always possible.
 */
export function logfmtValue(s: string, max = MAX_TEXT_UNITS): string {
  return isBare(s, max) ? s : '"' + escapeText(s, max, true) + '"';
}

/** UTF-8 bytes of one code point (WTF-8 for a lone surrogate: the 3 bytes of its code unit). */
function utf8Bytes(cp: number): number[] {
  if (cp < 0x80) return [cp];
  if (cp < 0x800) return [0xc0 | (cp >> 6), 0x80 | (cp & 0x3f)];
  if (cp < 0x10000) return [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
  return [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
}

/** Longest Zeek string field, in UTF-16 code units of the input (Zeek itself has no bound). */
export const MAX_ZEEK_UNITS = 4096;

/**
 * A Zeek ASCII-log string value. Zeek's rules: `\` → `\\`, the separator (TAB) and every byte
 * that is not printable ASCII → `\xNN` (non-ASCII text as its UTF-8 bytes, as Zeek logs it);
 * inside a set/vector also the set separator `,`. Empty → `(empty)`; a value that would read as
 * the unset (`-`) or empty (`(empty)`) marker gets its first character escaped. Values are cut
 * at `max` code units with a `...(+N)` marker.
 */
export function zeekString(s: string, inSet = false, max = MAX_ZEEK_UNITS): string {
  if (s.length === 0) return '(empty)';
  if (s === '-') return '\\x2d';
  if (s === '(empty)') return '\\x28empty)';
  let out = '';
  const end = Math.min(s.length, max);
  let i = 0;
  for (; i < end; i++) {
    let c = s.charCodeAt(i);
    if (c > 0x20 && c < 0x7f) {
      if (c === 0x5c) out += '\\\\';
      else if (inSet && c === 0x2c) out += '\\x2c';
      else out += s[i];
      continue;
    }
    if (c === 0x20) {
      out += ' ';
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        if (i + 1 >= end) break;
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    for (const b of utf8Bytes(c)) out += '\\x' + hex(b, 2);
  }
  if (i < s.length) out += `...(+${s.length - i})`;
  return out;
}
