// The layer rules of DESIGN.md, checked by `npm test` (npm run lint:imports) with dependency-cruiser.
//   src/model     pure data and functions every bundle may use: imports nothing of ours
//   src/engine    tokens, Q/K/V, variants, kernels, measurement: portable (Node worker, CLI, browser
//                 worker); only src/engine/node/ may use Node's built-in modules
//   src/protocol  the typed channels: model only
//   src/service   the engine channel served on top of the engine (shared by the worker thread and
//                 the view's GPU worker)
//   hosts         src/worker, src/cli, src/lane (the view's GPU worker), src/extension, webview/
//                 (and scripts/, test/)
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import loop means two modules are one; merge them or move the shared part down a layer.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'model-imports-nothing-of-ours',
      severity: 'error',
      comment: 'src/model is pure data and functions that every bundle may use.',
      from: { path: '^src/model/' },
      to: { path: '^(src/(engine|protocol|service|extension|worker|cli|lane)|webview|scripts|test)/' },
    },
    {
      name: 'model-and-protocol-are-portable',
      severity: 'error',
      comment: 'The model and the protocol run in Node, VS Code and the browser: no Node built-ins.',
      from: { path: '^src/(model|protocol)/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'protocol-imports-only-model',
      severity: 'error',
      from: { path: '^src/protocol/' },
      to: { path: '^(src/(engine|service|extension|worker|cli|lane)|webview|scripts|test)/' },
    },
    {
      name: 'engine-never-imports-hosts',
      severity: 'error',
      comment: 'The engine runs in three hosts; it knows none of them.',
      from: { path: '^src/engine/' },
      to: { path: '^(src/(extension|worker|cli|lane|protocol|service)|webview|scripts|test)/' },
    },
    {
      name: 'engine-node-only-behind-the-seam',
      severity: 'error',
      comment: 'Node-only code (files, v8, child processes, the gl and webgpu loaders) lives in src/engine/node/, behind the Platform seam.',
      from: { path: '^src/engine/', pathNot: '^src/engine/node/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'portable-engine-does-not-import-a-platform',
      severity: 'error',
      comment: 'Hosts install a platform (Node or browser); the portable engine only sees the Platform interface.',
      from: { path: '^src/engine/', pathNot: '^src/engine/(node|browser)/' },
      to: { path: '^src/engine/(node|browser)/' },
    },
    {
      name: 'node-and-browser-platforms-stay-apart',
      severity: 'error',
      from: { path: '^src/engine/(node|browser)/' },
      to: { path: '^src/engine/(node|browser)/', pathNot: '^src/engine/$1/' },
    },
    {
      name: 'extension-and-webview-never-import-the-engine',
      severity: 'error',
      comment: 'Activation loads no kernels, and the view bundle holds no engine: they talk to it through the protocol.',
      from: { path: '^(src/extension|webview)/' },
      to: { path: '^src/(engine|service|worker|cli|lane)/' },
    },
    {
      name: 'extension-loads-no-kernel-libraries',
      severity: 'error',
      from: { path: '^(src/extension|webview)/' },
      to: { path: 'node_modules/(gpu\\.js|gl|webgpu|gpt-tokenizer|npyjs)/' },
    },
    {
      name: 'webview-has-no-node',
      severity: 'error',
      from: { path: '^webview/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'hosts-do-not-import-each-other',
      severity: 'error',
      from: { path: '^src/(worker|cli|lane)/' },
      to: { path: '^(src/(extension|worker|cli|lane)|webview)/', pathNot: '^src/$1/' },
    },
    {
      name: 'service-serves-only-the-engine',
      severity: 'error',
      from: { path: '^src/service/' },
      to: { path: '^(src/(extension|worker|cli|lane)|webview|scripts|test)/' },
    },
    {
      name: 'lane-worker-is-a-browser-host',
      severity: 'error',
      comment: "The view's GPU worker runs in Chromium: the browser platform, never Node's.",
      from: { path: '^src/lane/' },
      to: { path: '^src/engine/node/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|out|node_modules|\\.cache)/' },
  },
};
