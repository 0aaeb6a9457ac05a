'use strict';
/**
 * Runs one command and measures it: wall time (hrtime in this process), user+sys CPU and peak
 * RSS (GNU time -v when installed, else VmHWM polled from /proc), lines on stdout (counted here,
 * so the tool's output still leaves the process through a pipe), stderr kept for parsing.
 */
const fs = require('node:fs');
const { spawn } = require('node:child_process');

const GNU_TIME = '/usr/bin/time';
const hasGnuTime = () => fs.existsSync(GNU_TIME);

function loadavg() {
  return fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
}

/** Parses the fields of `time -v` we use from the end of stderr. */
function parseGnuTime(text) {
  const num = (re) => {
    const m = re.exec(text);
    return m ? Number(m[1]) : null;
  };
  return {
    userSecs: num(/User time \(seconds\): ([\d.]+)/),
    sysSecs: num(/System time \(seconds\): ([\d.]+)/),
    maxRssKB: num(/Maximum resident set size \(kbytes\): (\d+)/),
  };
}

/**
 * @param {string} cmd
 * @param {string[]} args
 * @param {{countLines?: boolean, stdinFrom?: {cmd: string, args: string[]}}} [opts]
 *   countLines: pipe stdout here and count '\n' (else stdout goes to /dev/null).
 * @returns {Promise<{wallSecs:number,userSecs:number|null,sysSecs:number|null,maxRssKB:number|null,lines:number|null,stderr:string,status:number|null,load:number[]}>}
 */
function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const gnu = hasGnuTime();
    const [c, a] = gnu ? [GNU_TIME, ['-v', cmd, ...args]] : [cmd, args];
    const loadBefore = loadavg();
    const t0 = process.hrtime.bigint();
    const child = spawn(c, a, { stdio: ['ignore', opts.countLines ? 'pipe' : 'ignore', 'pipe'] });
    let lines = opts.countLines ? 0 : null;
    if (opts.countLines) {
      child.stdout.on('data', (b) => {
        for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1)) lines++;
      });
    }
    let err = '';
    child.stderr.on('data', (b) => {
      err += b.toString('utf8');
      if (err.length > 1 << 20) err = err.slice(-(1 << 19)); // keep the tail (time -v, summary)
    });
    let hwm = 0;
    const poll = gnu
      ? null
      : setInterval(() => {
          try {
            const m = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
            if (m) hwm = Math.max(hwm, Number(m[1]));
          } catch {
            /* exited between polls */
          }
        }, 20);
    child.on('error', reject);
    child.on('close', (status) => {
      const wallSecs = Number(process.hrtime.bigint() - t0) / 1e9;
      if (poll) clearInterval(poll);
      const t = gnu ? parseGnuTime(err) : { userSecs: null, sysSecs: null, maxRssKB: hwm || null };
      resolve({ wallSecs, ...t, lines, stderr: err, status, load: loadBefore });
    });
  });
}

module.exports = { run, loadavg, hasGnuTime };
