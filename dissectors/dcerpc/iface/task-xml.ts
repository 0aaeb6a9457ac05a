/**
 * The few facts a Task Scheduler task definition (MS-TSCH 2.5, the XML of SchRpcRegisterTask)
 * reveals about an attack: the first Exec action's Command and Arguments and the principal it
 * runs as. Parsed with saxes — a strict streaming parser: no tree is built, and since it expands
 * no DTD-declared entities a hostile "billion laughs" document is an error, not a memory bomb.
 */
import type * as Saxes from 'saxes';

/** saxes is loaded on first use: only a SchRpcRegisterTask call needs it, and it costs ~5 ms of start-up */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy load on purpose
const saxes = (): typeof Saxes => require('saxes') as typeof Saxes;

export interface TaskFacts {
  command?: string;
  arguments?: string;
  run_as?: string;
}

/** Longest text kept per field. */
const MAX_TEXT = 1024;

/** Facts of a task XML; `null` when it is not well-formed XML. */
export function taskFacts(xml: string): TaskFacts | null {
  const out: TaskFacts = {};
  const path: string[] = [];
  let text = '';
  let inExec = 0; // how many Exec actions have ended (only the first one counts)
  let failed = false;
  let userId: string | undefined;
  let groupId: string | undefined;
  const p = new (saxes().SaxesParser)({ xmlns: false, position: false });
  p.on('error', () => {
    failed = true;
  });
  p.on('opentag', (tag) => {
    const name = tag.name.includes(':') ? tag.name.slice(tag.name.indexOf(':') + 1) : tag.name;
    if (path.length < 32) path.push(name);
    text = '';
  });
  p.on('text', (t) => {
    if (text.length < MAX_TEXT) text += t.length > MAX_TEXT ? t.slice(0, MAX_TEXT) : t;
  });
  p.on('closetag', () => {
    const where = path.join('/');
    const v = text.trim().slice(0, MAX_TEXT);
    if (inExec === 0 && where === 'Task/Actions/Exec/Command') out.command = v;
    else if (inExec === 0 && where === 'Task/Actions/Exec/Arguments') out.arguments = v;
    else if (where === 'Task/Actions/Exec') inExec++;
    else if (where === 'Task/Principals/Principal/UserId' && userId === undefined) userId = v;
    else if (where === 'Task/Principals/Principal/GroupId' && groupId === undefined) groupId = v;
    path.pop();
    text = '';
  });
  try {
    p.write(xml).close();
  } catch {
    failed = true;
  }
  if (failed) return null;
  const runAs = userId ?? groupId;
  if (runAs !== undefined) out.run_as = runAs;
  return out;
}
