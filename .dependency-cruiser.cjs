/**
 * The rooms of ../shared/spec/architecture.md as import rules (npm run lint). Data flows
 *   capture → net → dissectors ← tracker → detect → output → report,  cli on top, shared below all;
 * a room imports only itself, the room just above it in that flow where it needs its types, and
 * shared. Everything not listed under `allowed` is a violation (allowedSeverity: error), so a new
 * upward import or one that skips a room fails the lint. Separately: dissectors are pure (no Node
 * core module: no fs, net, child_process…; a pure parsing package is fine), and there is no import
 * cycle anywhere.
 *
 * Why dependency-cruiser and not eslint-plugin-boundaries + import/no-cycle: one tool checks both
 * the room graph and cycles over the whole graph at once (import/no-cycle re-walks the graph per
 * file and is the slowest ESLint rule there is), it resolves TypeScript paths itself without an
 * ESLint resolver plugin, tells type-only imports apart, and its `allowed` list reads as the
 * architecture's arrows. No violation is tolerated (the tracker's handler cycles went with its
 * redesign into transactions + session model, issue 14).
 */
const room = (name) => (name === 'dissectors' ? '^dissectors/' : `^src/${name}/`);
const may = (from, ...to) => ({
  from: { path: room(from) },
  to: { path: [from, 'shared', ...to].map(room).join('|') },
});
// Node core modules anywhere but in dissectors; npm packages anywhere
const core = { from: { pathNot: '^dissectors/' }, to: { dependencyTypes: ['core'] } };
const npm = { from: {}, to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer'] } };

module.exports = {
  allowedSeverity: 'error',
  allowed: [
    may('shared'),
    may('dissectors'),
    may('capture'),
    may('net', 'dissectors'),
    may('tracker', 'dissectors'),
    may('detect', 'tracker'),
    may('output', 'detect'),
    may('report', 'output'),
    { from: { path: '^src/cli/' }, to: { path: '^(src/|dissectors/)' } },
    core,
    npm,
  ],
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle couples modules that should be layered; break it with a narrow interface.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'dissectors-pure',
      severity: 'error',
      comment: 'dissectors/ are pure functions over a Buffer: no Node core module (fs, net, child_process…).',
      from: { path: '^dissectors/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|node_modules)/' },
  },
};
