import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { configurationContribution } from '../scripts/settings-schema';
import { VARIANTS } from '../src/engine/variants/registry';
import { VARIANT_IDS } from '../src/model/variant-ids';

/** The parts of package.json these tests read. */
interface Manifest {
  main: string;
  engines: { vscode: string };
  devDependencies: Record<string, string>;
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: boolean | 'limited'; description?: string; restrictedConfigurations?: string[] }; virtualWorkspaces: boolean };
  contributes: {
    configuration: { properties: Record<string, { description?: string; default?: unknown; properties?: Record<string, unknown> }> };
    commands: Array<{ command: string; title: string; category: string }>;
    menus: Record<string, Array<{ command: string; when?: string }>>;
    viewsContainers: { activitybar: Array<{ title: string }> };
    views: Record<string, unknown[]>;
  };
}

const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', 'package.json'), 'utf8')) as Manifest;

describe('the extension manifest', () => {
  it('contributes the settings generated from the variants (regenerate: npm run generate)', () => {
    assert.deepEqual(pkg.contributes.configuration, JSON.parse(JSON.stringify(configurationContribution(VARIANTS))));
  });

  it('declares VS Code ^1.100.0 with matching typings, implicit activation, untrusted and virtual workspaces', () => {
    assert.equal(pkg.engines.vscode, '^1.100.0');
    assert.match(pkg.devDependencies['@types/vscode'], /^[~^]?1\.100\./u);
    assert.deepEqual(pkg.activationEvents, []);
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.equal(pkg.capabilities.virtualWorkspaces, true);
    assert.equal(pkg.main, './dist/extension.js');
  });

  it('in an untrusted workspace, the workspace cannot set the budgets or the backend (your user settings apply)', () => {
    const untrusted = pkg.capabilities.untrustedWorkspaces;
    const restricted = untrusted.restrictedConfigurations ?? [];
    for (const key of ['backend', 'memoryBudgetMiB', 'timeBudgetMs', 'sweepPointBudgetMs']) assert.ok(restricted.includes(`attentionProfiler.${key}`), key);
    // Each one is a setting the extension contributes (a misspelt key would restrict nothing).
    for (const key of restricted) assert.ok(pkg.contributes.configuration.properties[key], `${key} is a contributed setting`);
    assert.match(untrusted.description ?? '', /budgets .* backend/u);
  });

  it('puts "Profile attention" in the palette, the editor context menu on a selection, and the view title', () => {
    const command = pkg.contributes.commands.find((c) => c.command === 'attentionProfiler.profile')!;
    assert.deepEqual([command.title, command.category], ['Profile attention', 'Attention']);
    assert.ok(pkg.contributes.menus.commandPalette.some((m) => m.command === 'attentionProfiler.profile'));
    assert.ok(pkg.contributes.menus['editor/context'].some((m) => m.command === 'attentionProfiler.profile' && m.when === 'editorHasSelection'));
    assert.ok(pkg.contributes.menus['view/title'].some((m) => m.when === 'view == attentionProfiler.comparison'));
    assert.deepEqual(pkg.contributes.viewsContainers.activitybar[0].title, 'Attention');
    assert.deepEqual(pkg.contributes.views.attentionProfiler[0], {
      type: 'webview',
      id: 'attentionProfiler.comparison',
      name: 'Attention comparison',
      icon: 'media/attention.svg',
    });
  });

  it('has a described setting with a range for each run setting and each variant with parameters', () => {
    const props = pkg.contributes.configuration.properties;
    for (const key of ['backend', 'headDim', 'causal', 'seed', 'tokenizer', 'maxTokens', 'timeBudgetMs', 'memoryBudgetMiB', 'variants']) {
      assert.ok(props[`attentionProfiler.${key}`]?.description, key);
    }
    assert.deepEqual(props['attentionProfiler.variants'].default, [...VARIANT_IDS]);
    assert.deepEqual(props['attentionProfiler.params.sliding'].properties!.window, {
      type: 'integer',
      description: 'one-sided window w1: keys within w1 positions (times the dilation) of the query. Default 32; 1 <= window <= 65536.',
      minimum: 1,
      maximum: 65536,
      default: 32,
    });
  });
});
