import { readFileSync } from 'node:fs';
import * as path from 'node:path';

let cached: string | null = null;

/** The package version, read from package.json (found from dist/ or from the sources). */
export function packageVersion(): string {
  if (cached !== null) return cached;
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
      if (pkg.name === 'sharewatch') return (cached = String(pkg.version));
    } catch {
      /* keep walking up */
    }
    dir = path.dirname(dir);
  }
  return (cached = 'unknown');
}
