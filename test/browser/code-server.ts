import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

/** code-server 4.100.3 as scripts/install-code-server.sh installs it (CODE_SERVER_DIR overrides). */
export function codeServerEntry(): string | undefined {
  const dir = process.env.CODE_SERVER_DIR ?? path.resolve(__dirname, '..', '..', '.cache', 'code-server');
  const entry = path.join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  return fs.existsSync(entry) && fs.existsSync(path.join(dir, '.complete')) ? entry : undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface CodeServer {
  url: string;
  workspace: string;
  /** code-server's working directory: a temporary folder, never the repository. */
  cwd: string;
  log(): string;
  stop(): void;
}

/**
 * Installs a VSIX into a fresh extensions folder and starts code-server on 127.0.0.1 with its own
 * user data (settings given), opening `workspace`.
 */
export async function startCodeServer(options: { entry: string; vsix: string; root: string; workspace: string; settings: Record<string, unknown> }): Promise<CodeServer> {
  const extensions = path.join(options.root, 'extensions');
  const data = path.join(options.root, 'data');
  fs.mkdirSync(path.join(data, 'User'), { recursive: true });
  fs.writeFileSync(path.join(data, 'User', 'settings.json'), JSON.stringify(options.settings, null, 2));
  const env = { ...process.env, XDG_CONFIG_HOME: path.join(options.root, 'config') };
  const install = spawnSync(process.execPath, [options.entry, '--extensions-dir', extensions, '--user-data-dir', data, '--install-extension', options.vsix], {
    encoding: 'utf8',
    env,
    timeout: 120_000,
  });
  if (install.status !== 0 || !/successfully installed/u.test(install.stdout)) {
    throw new Error(`code-server could not install ${options.vsix}: ${install.stdout}${install.stderr}`);
  }
  const port = await freePort();
  let output = '';
  const child: ChildProcess = spawn(
    process.execPath,
    [
      options.entry,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--extensions-dir',
      extensions,
      '--user-data-dir',
      data,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      options.workspace,
    ],
    // Started in a folder of its own, not the repository: the extension must find its files in its own folder.
    { env, cwd: options.root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const started = Date.now();
  while (!/HTTP server listening/u.test(output)) {
    if (child.exitCode !== null) throw new Error(`code-server exited: ${output}`);
    if (Date.now() - started > 60_000) throw new Error(`code-server did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url: `http://127.0.0.1:${port}/?folder=${encodeURIComponent(options.workspace)}`,
    workspace: options.workspace,
    cwd: options.root,
    log: () => output,
    stop: () => {
      child.kill('SIGTERM');
    },
  };
}
