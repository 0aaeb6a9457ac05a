/**
 * The real-traffic lab from a test: a pair of network namespaces joined by a veth, Samba smbd in
 * the server one, clients (smbclient, impacket) in the client one. All the plumbing lives in
 * captures/record.sh; this wraps it so a tap test can start a private lab, run clients or
 * scenarios in it, spawn a process (sharewatch -i …) on the server side, and tear it down.
 *
 *   const lab = await startLab();
 *   const sw = lab.spawnInServer(['node', 'dist/src/cli/main.js', '-i', lab.serverIface]);
 *   await lab.runScenario('c-drop-delete');
 *   await lab.stop();
 *
 * Each lab gets its own namespace names (swl<pid>x<n>-srv/-cli), so tests running in parallel
 * never share one; leftovers of dead test processes are removed when a lab starts.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const RECORD_SH = path.resolve(__dirname, '..', '..', 'captures', 'record.sh');

export interface LabAvailability {
  ok: boolean;
  /** Empty when ok; otherwise every reason the lab cannot run here, joined by "; ". */
  reason: string;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Kill the command after this many ms (default 120 000). */
  timeoutMs?: number;
  /** Reject when the command exits non-zero (default true). */
  check?: boolean;
}

export interface LabOptions {
  /** Server accepts SMB1 (NT1) too; default SMB 2.0.2 … 3.1.1 only. */
  smb1?: boolean;
  /** Namespace name prefix; default a fresh swl<pid>x<n>. */
  name?: string;
}

export interface Lab {
  readonly name: string;
  readonly dir: string;
  readonly serverNs: string;
  readonly clientNs: string;
  /** The veth end inside the server namespace: what `sharewatch -i` listens on. */
  readonly serverIface: string;
  readonly clientIface: string;
  readonly serverIp: string;
  readonly clientIp: string;
  readonly serverIp6: string;
  readonly clientIp6: string;
  readonly user: string;
  readonly password: string;
  readonly domain: string;
  readonly netbiosName: string;
  /** argv run inside the server namespace (for spawn). */
  serverCommand(argv: string[]): string[];
  /** argv run inside the client namespace (for spawn). */
  clientCommand(argv: string[]): string[];
  /** Starts a long-running process in the server namespace (e.g. sharewatch -i serverIface). */
  spawnInServer(argv: string[], opts?: SpawnOptions): ChildProcess;
  /** Runs a command in the client namespace: argv, or a string run by bash -c. */
  runClient(cmd: string[] | string, opts?: RunOptions): Promise<RunResult>;
  /** Runs a command in the server namespace. */
  runServer(cmd: string[] | string, opts?: RunOptions): Promise<RunResult>;
  /** Drives one scenario of captures/MANIFEST.md (no capture). */
  runScenario(scenario: string, opts?: RunOptions): Promise<RunResult>;
  /** Drives one scenario while tcpdump records the server side into outFile. */
  record(scenario: string, outFile: string, opts?: RunOptions): Promise<RunResult>;
  /** Stops smbd and removes the namespaces and the lab dir. Safe to call twice. */
  stop(): Promise<void>;
}

/** True when the environment says this is CI (where a lab that cannot run is a failure). */
export function isCI(): boolean {
  const v = process.env.CI;
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

function which(cmd: string): boolean {
  return spawnSync('bash', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Whether the lab can run here, and why not (root, ip netns, smbd, clients, tcpdump). */
export function labAvailability(): LabAvailability {
  const reasons: string[] = [];
  if (process.platform !== 'linux') reasons.push(`needs Linux network namespaces (platform ${process.platform})`);
  if (typeof process.getuid === 'function' && process.getuid() !== 0) reasons.push('needs root (uid 0)');
  if (!fs.existsSync(RECORD_SH)) reasons.push(`missing ${RECORD_SH}`);
  if (reasons.length === 0) {
    const ns = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
    if (ns.error || ns.status !== 0) {
      reasons.push(`"ip netns list" fails: ${ns.error?.message ?? ns.stderr.trim()} (apt-get install iproute2)`);
    }
  }
  const tools: Array<[string, string]> = [
    ['smbd', 'samba'], ['smbpasswd', 'samba-common-bin'], ['smbclient', 'smbclient'],
    ['tcpdump', 'tcpdump'], ['useradd', 'passwd'],
  ];
  for (const [tool, pkg] of tools) if (!which(tool)) reasons.push(`${tool} not found (apt-get install ${pkg})`);
  const imp = spawnSync('/usr/bin/python3', ['-c', 'import impacket'], { stdio: 'ignore' });
  if (imp.status !== 0) reasons.push('impacket not importable by /usr/bin/python3 (apt-get install python3-impacket)');
  return { ok: reasons.length === 0, reason: reasons.join('; ') };
}

function run(argv: string[], env: NodeJS.ProcessEnv, opts: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const check = opts.check ?? true;
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const r: RunResult = {
        code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'),
      };
      if (timedOut) reject(new Error(`timed out after ${timeoutMs} ms: ${argv.join(' ')}\n${r.stderr}`));
      else if (check && code !== 0) reject(new Error(`exit ${code ?? signal}: ${argv.join(' ')}\n${r.stdout}${r.stderr}`));
      else resolve(r);
    });
  });
}

const STALE_NS = /^swl(\d+)x\d+-(srv|cli)$/;

function pidAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

/** Tears down labs left by test processes that no longer exist. */
export function cleanStaleLabs(): string[] {
  const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (list.status !== 0) return [];
  const names = new Set<string>();
  for (const line of list.stdout.split('\n')) {
    const ns = line.split(' ')[0] ?? '';
    const m = STALE_NS.exec(ns);
    if (m && !pidAlive(Number(m[1]))) names.add(ns.replace(/-(srv|cli)$/, ''));
  }
  for (const name of names) {
    spawnSync(RECORD_SH, ['down'], { env: { ...process.env, SW_LAB_NAME: name }, stdio: 'ignore', timeout: 30_000 });
  }
  return [...names];
}

let labCounter = 0;
const liveLabs = new Set<string>();

// A test that crashes or forgets stop() must not leave namespaces and smbd behind.
function downSync(name: string): void {
  spawnSync(RECORD_SH, ['down'], { env: { ...process.env, SW_LAB_NAME: name }, stdio: 'ignore', timeout: 30_000 });
}
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => { for (const name of liveLabs) downSync(name); });
}

function parseEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0 && /^[A-Z0-9_]+$/.test(line.slice(0, eq))) env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return env;
}

/** Starts a private lab (namespaces, veth, smbd, user). Throws with the reason if it cannot. */
export async function startLab(opts: LabOptions = {}): Promise<Lab> {
  const avail = labAvailability();
  if (!avail.ok) throw new Error(`lab cannot run here: ${avail.reason}`);
  cleanStaleLabs();
  const name = opts.name ?? `swl${process.pid}x${labCounter++}`;
  const env: NodeJS.ProcessEnv = { ...process.env, SW_LAB_NAME: name };
  delete env.SW_LAB_DIR;
  liveLabs.add(name);
  installExitHook();
  let up: RunResult;
  try {
    up = await run([RECORD_SH, 'up', ...(opts.smb1 ? ['--smb1'] : [])], env, { timeoutMs: 120_000 });
  } catch (e) {
    downSync(name);
    liveLabs.delete(name);
    throw e;
  }
  const v = parseEnv(up.stdout);
  const need = (k: string): string => {
    const x = v[k];
    if (x === undefined) throw new Error(`record.sh up did not report ${k}:\n${up.stdout}`);
    return x;
  };
  const serverNs = need('NS_SRV');
  const clientNs = need('NS_CLI');
  const inNs = (ns: string, argv: string[]): string[] => ['ip', 'netns', 'exec', ns, ...argv];
  const toArgv = (cmd: string[] | string): string[] => (typeof cmd === 'string' ? ['bash', '-c', cmd] : cmd);
  let stopped = false;

  const lab: Lab = {
    name,
    dir: need('LAB_DIR'),
    serverNs,
    clientNs,
    serverIface: need('IF_SRV'),
    clientIface: need('IF_CLI'),
    serverIp: need('SRV4'),
    clientIp: need('CLI4'),
    serverIp6: need('SRV6'),
    clientIp6: need('CLI6'),
    user: need('LAB_USER'),
    password: need('LAB_PASS'),
    domain: need('WORKGROUP'),
    netbiosName: need('NETBIOS'),
    serverCommand: (argv) => inNs(serverNs, argv),
    clientCommand: (argv) => inNs(clientNs, argv),
    spawnInServer(argv, spawnOpts = {}) {
      const full = inNs(serverNs, argv);
      return spawn(full[0]!, full.slice(1), spawnOpts);
    },
    runClient: (cmd, o) => run(inNs(clientNs, toArgv(cmd)), process.env, o),
    runServer: (cmd, o) => run(inNs(serverNs, toArgv(cmd)), process.env, o),
    runScenario: (scenario, o) => run([RECORD_SH, 'drive', scenario], env, o),
    record: (scenario, outFile, o) => run([RECORD_SH, 'capture', scenario, path.resolve(outFile)], env, o),
    async stop() {
      if (stopped) return;
      stopped = true;
      await run([RECORD_SH, 'down'], env, { timeoutMs: 60_000, check: false });
      liveLabs.delete(name);
    },
  };
  return lab;
}
