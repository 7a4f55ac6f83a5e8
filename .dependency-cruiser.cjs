// The layers of src/, checked by `npm test` (dependency-cruiser): an event travels forward through
// these rooms and no room imports one that comes after it. Each entry lists the rooms a room may
// import besides itself; anything else is a violation naming both files.
const MAY_IMPORT = {
  'errors.ts': [],
  // Text from outside, cut and redacted: used wherever such text is logged, stored or shown.
  'bounded-text.ts': [],
  'log.ts': ['bounded-text.ts'],
  config: ['bounded-text.ts', 'errors.ts', 'log.ts'],
  // The event model reads webhooks and the REST API's representation of merge requests and issues.
  event: ['bounded-text.ts', 'errors.ts', 'gitlab'],
  rules: ['bounded-text.ts', 'errors.ts', 'event'],
  gitlab: ['bounded-text.ts', 'errors.ts', 'config'],
  store: ['bounded-text.ts'],
  // What rulebot counts and how it is shown; it counts event outcomes as the store records them.
  metrics: ['store'],
  queue: ['bounded-text.ts', 'errors.ts', 'log.ts', 'event', 'gitlab', 'store'],
  pipeline: ['bounded-text.ts', 'errors.ts', 'log.ts', 'event', 'rules', 'gitlab', 'store'],
  chatops: ['bounded-text.ts', 'errors.ts', 'log.ts', 'event', 'rules', 'gitlab', 'store', 'pipeline'],
  schedule: ['bounded-text.ts', 'errors.ts', 'log.ts', 'event', 'rules', 'gitlab', 'store', 'pipeline'],
  // Keeping rulebot able to work: its credential and its webhook, through the client and the store.
  upkeep: ['bounded-text.ts', 'errors.ts', 'log.ts', 'config', 'gitlab', 'store'],
  // Where an event's rules come from besides RULES_DIR: each project's own file and presets, read from GitLab and kept.
  'project-rules': ['bounded-text.ts', 'errors.ts', 'log.ts', 'event', 'rules', 'gitlab', 'store', 'pipeline'],
  // Decision records: what was decided for an event or a schedule run, and why, built from what the stages report.
  decisions: ['errors.ts', 'log.ts', 'event', 'rules', 'gitlab', 'store', 'metrics', 'pipeline', 'chatops', 'schedule'],
  'engine.ts': ['bounded-text.ts', 'errors.ts', 'log.ts', 'config', 'event', 'rules', 'gitlab', 'store', 'metrics', 'pipeline', 'chatops', 'schedule', 'upkeep', 'project-rules', 'decisions'],
  // The HTTP intake reads and stores an event and hands it to a queue; it never runs the pipeline.
  // It also serves what was decided (records, metrics, the page) from the store.
  http: ['bounded-text.ts', 'errors.ts', 'log.ts', 'config', 'event', 'store', 'metrics', 'queue'],
};

const room = (name) => (name.endsWith('.ts') ? `^src/${name.replace('.', '\\.')}$` : `^src/${name}/`);

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'Modules that import each other cannot be read (or loaded) one after the other.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'nothing-imports-a-runtime',
      comment: 'Runtimes assemble the core; the core never reaches into one.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/runtime/', '\\.test\\.ts$'] },
      to: { path: '^src/runtime/' },
    },
    {
      name: 'runtimes-stay-apart',
      comment: 'The Worker cannot load Node code and the Node process has no use for the Worker.',
      severity: 'error',
      from: { path: '^src/runtime/(node|worker)/' },
      to: { path: '^src/runtime/', pathNot: ['^src/runtime/$1/'] },
    },
    {
      name: 'node-only-in-the-node-runtime',
      comment: 'The core speaks Web standards only, so that the Worker runs it unchanged.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/runtime/node/', '\\.test\\.ts$'] },
      to: { dependencyTypes: ['core'] },
    },
    ...Object.entries(MAY_IMPORT).map(([name, allowed]) => ({
      name: `layer-${name.replace('.ts', '')}`,
      comment: `src/${name} may import only ${allowed.length ? allowed.map((r) => `src/${r}`).join(', ') : 'itself'} (and packages).`,
      severity: 'error',
      from: { path: room(name), pathNot: '\\.test\\.ts$' },
      to: { path: '^src/', pathNot: [room(name), ...allowed.map(room)] },
    })),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.d\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
