// @vscode/test-cli configuration for the desktop integration test (npm run test:desktop).
import { defineConfig } from '@vscode/test-cli';

export default defineConfig({
  files: 'out/desktop-tests/**/*.test.js',
  version: '1.100.3',
  workspaceFolder: './test/fixtures',
  mocha: { ui: 'tdd', timeout: 180000 },
});
