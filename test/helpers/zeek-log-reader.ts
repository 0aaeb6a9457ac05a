/**
 * A reader for Zeek's log formats, written from Zeek's documentation (the ASCII writer,
 * "Logging Framework" and "Zeek Log Formats"), independent of src/output/zeek:
 *
 * - ASCII (TSV): a header block of `#`-lines — `#separator` (its value written with `\xNN`
 *   escapes: `\x09`), `#set_separator`, `#empty_field`, `#unset_field`, `#path`, `#open`,
 *   `#fields`, `#types` — then one row per line, fields split on the separator, and `#close` at
 *   the end. A file may hold several blocks (appended runs, rotation).
 * - A field equal to the unset marker (`-`) is unset; equal to the empty marker (`(empty)`) is an
 *   empty string, set or vector. Anything else is unescaped: `\\` → `\`, `\xNN` → the byte NN
 *   (strings are bytes: non-ASCII comes as its UTF-8 bytes). Containers (`set[…]`, `vector[…]`)
 *   split on the set separator first, then each element is unescaped.
 * - Values are typed by #types: time/interval/double → number, count/int/port → number,
 *   bool T/F → boolean, string/enum/addr/subnet → string.
 * - JSON (`LogAscii::use_json`): one object per line, flat dotted keys, unset fields absent.
 *
 * Everything malformed is an error with the line number: a test must see a broken log fail.
 */

export type ZeekReadValue = null | string | number | boolean | (string | number)[];

export interface ZeekBlock {
  separator: string;
  setSeparator: string;
  emptyField: string;
  unsetField: string;
  path: string;
  open: string;
  close: string | null;
  fields: string[];
  types: string[];
  /** rows typed by #types */
  rows: Record<string, ZeekReadValue>[];
  /** the raw fields of each row, as written */
  raw: string[][];
}

export class ZeekLogError extends Error {}

/** `\x09` → TAB (header values are written with \x escapes). */
function headerValue(s: string): string {
  return s.replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** Undo Zeek's string escaping: `\\` and `\xNN` (bytes, decoded as UTF-8 at the end). */
export function unescapeZeek(s: string, line: number): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c) {
      const n = s[i + 1];
      if (n === '\\') {
        bytes.push(0x5c);
        i++;
        continue;
      }
      if (n === 'x' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 2, i + 4))) {
        bytes.push(parseInt(s.slice(i + 2, i + 4), 16));
        i += 3;
        continue;
      }
      throw new ZeekLogError(`line ${line}: bad escape in ${JSON.stringify(s)}`);
    }
    if (c < 0x20 || c === 0x7f) throw new ZeekLogError(`line ${line}: unescaped control character in ${JSON.stringify(s)}`);
    for (const b of Buffer.from(s[i], 'utf8')) bytes.push(b);
  }
  return Buffer.from(bytes).toString('utf8');
}

function scalar(text: string, type: string, line: number): string | number | boolean {
  switch (type) {
    case 'time':
    case 'interval':
    case 'double': {
      if (!/^-?\d+(\.\d+)?(e[+-]?\d+)?$/.test(text)) throw new ZeekLogError(`line ${line}: bad ${type} '${text}'`);
      return Number(text);
    }
    case 'count':
    case 'int':
    case 'port': {
      if (!/^-?\d+$/.test(text)) throw new ZeekLogError(`line ${line}: bad ${type} '${text}'`);
      return Number(text);
    }
    case 'bool':
      if (text !== 'T' && text !== 'F') throw new ZeekLogError(`line ${line}: bad bool '${text}'`);
      return text === 'T';
    default:
      return unescapeZeek(text, line);
  }
}

function value(text: string, type: string, b: ZeekBlock, line: number): ZeekReadValue {
  if (text === b.unsetField) return null;
  const container = /^(set|vector)\[(.+)\]$/.exec(type);
  if (container) {
    if (text === b.emptyField) return [];
    return text.split(b.setSeparator).map((e) => scalar(e, container[2], line) as string | number);
  }
  if (text === b.emptyField) {
    if (type === 'string' || type === 'enum') return '';
    throw new ZeekLogError(`line ${line}: (empty) in a ${type} field`);
  }
  return scalar(text, type, line);
}

const REQUIRED = ['#separator', '#set_separator', '#empty_field', '#unset_field', '#path', '#open', '#fields', '#types'];

/** Parse a Zeek ASCII log (one or more header blocks). */
export function readZeekAscii(text: string): ZeekBlock[] {
  if (text !== '' && !text.endsWith('\n')) throw new ZeekLogError('log does not end with a newline');
  const lines = text.split('\n');
  lines.pop();
  const blocks: ZeekBlock[] = [];
  let cur: ZeekBlock | null = null;
  let header: Record<string, string> = {};
  for (let i = 0; i < lines.length; i++) {
    const ln = i + 1;
    const l = lines[i];
    if (l.startsWith('#separator ')) {
      // the separator line is the only one whose key and value are split by a space
      if (cur && cur.close === null) throw new ZeekLogError(`line ${ln}: new header before #close`);
      cur = null;
      header = { '#separator': headerValue(l.slice('#separator '.length)) };
      continue;
    }
    if (l.startsWith('#')) {
      const sep = header['#separator'];
      if (sep === undefined) throw new ZeekLogError(`line ${ln}: header line before #separator`);
      const parts = l.split(sep);
      const key = parts[0];
      if (key === '#close') {
        if (!cur) throw new ZeekLogError(`line ${ln}: #close outside a block`);
        cur.close = parts[1] ?? '';
        continue;
      }
      header[key] = parts.slice(1).join(sep);
      if (key === '#types') {
        for (const k of REQUIRED) if (header[k] === undefined) throw new ZeekLogError(`line ${ln}: ${k} missing`);
        const fields = header['#fields'].split(sep);
        const types = header['#types'].split(sep);
        if (fields.length !== types.length) throw new ZeekLogError(`line ${ln}: ${fields.length} fields, ${types.length} types`);
        cur = {
          separator: sep,
          setSeparator: headerValue(header['#set_separator']),
          emptyField: header['#empty_field'],
          unsetField: header['#unset_field'],
          path: header['#path'],
          open: header['#open'],
          close: null,
          fields,
          types,
          rows: [],
          raw: [],
        };
        blocks.push(cur);
      }
      continue;
    }
    if (!cur) throw new ZeekLogError(`line ${ln}: row outside a block`);
    if (cur.close !== null) throw new ZeekLogError(`line ${ln}: row after #close`);
    const vals = l.split(cur.separator);
    if (vals.length !== cur.fields.length) throw new ZeekLogError(`line ${ln}: ${vals.length} values for ${cur.fields.length} fields`);
    const row: Record<string, ZeekReadValue> = {};
    for (let k = 0; k < vals.length; k++) row[cur.fields[k]] = value(vals[k], cur.types[k], cur, ln);
    cur.rows.push(row);
    cur.raw.push(vals);
  }
  if (cur && cur.close === null) throw new ZeekLogError('last block has no #close');
  return blocks;
}

/** Parse a Zeek JSON log (one object per line). */
export function readZeekJson(text: string): Record<string, unknown>[] {
  if (text !== '' && !text.endsWith('\n')) throw new ZeekLogError('log does not end with a newline');
  return text
    .split('\n')
    .slice(0, -1)
    .map((l, i) => {
      try {
        const o = JSON.parse(l) as unknown;
        if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new Error('not an object');
        return o as Record<string, unknown>;
      } catch (e) {
        throw new ZeekLogError(`line ${i + 1}: ${(e as Error).message}`);
      }
    });
}

/** A Zeek btest baseline (leading `### BTest` comment, masked #open/#close) as blocks. */
export function readZeekBaseline(text: string): ZeekBlock[] {
  const body = text
    .split('\n')
    .filter((l) => !l.startsWith('### '))
    .map((l) => (l.startsWith('#open ') || l.startsWith('#close ') ? l.replace(' ', '\t') : l.replace(/XXXXXXXXXX\.XXXXXX/g, '0.000000')))
    .join('\n');
  return readZeekAscii(body);
}
