import Module from 'node:module';

/** Runs `load` (a require of extension code) with `import 'vscode'` answered by a stand-in. */
export function requireWithVscode<T>(vscode: unknown, load: () => T): T {
  const loader = Module as unknown as { _load: (...a: unknown[]) => unknown };
  const original = loader._load;
  loader._load = function (request: unknown, ...rest: unknown[]) {
    if (request === 'vscode') return vscode;
    return original.call(this, request, ...rest);
  };
  try {
    return load();
  } finally {
    loader._load = original;
  }
}
