import { BACKENDS } from '../core/backends-list';
import { describeParam, type ParamSpec } from '../core/params';
import { TOKENIZERS } from '../core/tokenizer-names';
import { VARIANTS } from '../core/variants/registry';
import { SECTION, SETTING_DEFAULTS } from './settings-defaults';

/**
 * The extension's settings, as contributed in package.json (`npm run manifest` writes them from
 * here; a test checks package.json is current). Parameters come from the variants' own specs, so
 * a setting can never disagree with what the core accepts.
 */

type JsonSchema = Record<string, unknown>;

function paramSchema(spec: ParamSpec): JsonSchema {
  const { default: defaultText, range } = describeParam(spec);
  const description = `${spec.description}. Default ${defaultText}; ${range}.`;
  switch (spec.kind) {
    case 'int':
      return {
        type: 'integer',
        description,
        ...(typeof spec.min === 'number' ? { minimum: spec.min } : {}),
        ...(typeof spec.max === 'number' ? { maximum: spec.max } : {}),
        ...(typeof spec.default === 'number' ? { default: spec.default } : {}),
      };
    case 'float':
      return { type: 'number', description, minimum: spec.min, maximum: spec.max, default: spec.default };
    case 'enum':
      return { type: 'string', description, enum: [...spec.choices], default: spec.default };
    case 'bool':
      return { type: 'boolean', description, default: spec.default };
    case 'positions':
      return { type: 'string', description, pattern: '^\\s*(\\d+\\s*(,\\s*\\d+\\s*)*)?$', default: spec.default };
  }
}

export function configurationContribution(): JsonSchema {
  const properties: Record<string, JsonSchema> = {
    [`${SECTION}.backend`]: {
      type: 'string',
      enum: ['auto', ...BACKENDS],
      default: SETTING_DEFAULTS.backend,
      description: 'Backend for the gpu.js kernels. auto tries webgpu, headlessgl, webasm, cpu in order and shows why each was or was not used; a forced backend that cannot run is an error.',
    },
    [`${SECTION}.headDim`]: { type: 'integer', minimum: 1, maximum: 512, default: SETTING_DEFAULTS.headDim, description: 'Head dimension d of the synthetic Q, K, V.' },
    [`${SECTION}.causal`]: { type: 'boolean', default: SETTING_DEFAULTS.causal, description: 'Causal (autoregressive) attention; off = bidirectional. Causal-only variants are skipped when off.' },
    [`${SECTION}.seed`]: { type: 'integer', minimum: 0, maximum: 2147483647, default: SETTING_DEFAULTS.seed, description: 'Seed of the synthetic embeddings, projections and seeded variant weights.' },
    [`${SECTION}.tokenizer`]: { type: 'string', enum: [...TOKENIZERS], default: SETTING_DEFAULTS.tokenizer, description: 'Tokenizer for text (the view can change it per run). Text starting with "ids:" is read as token ids.' },
    [`${SECTION}.maxTokens`]: { type: 'integer', minimum: 1, maximum: 65536, default: SETTING_DEFAULTS.maxTokens, description: 'Longest input accepted, in tokens.' },
    [`${SECTION}.timeBudgetMs`]: { type: 'number', minimum: 0, maximum: 600000, default: SETTING_DEFAULTS.timeBudgetMs, description: 'Time budget per variant: timed runs continue past the minimum of 5 while within it.' },
    [`${SECTION}.memoryBudgetMiB`]: { type: 'integer', minimum: 1, maximum: 1048576, default: SETTING_DEFAULTS.memoryBudgetMiB, description: 'A variant whose predicted intermediates and weights exceed this is skipped, with the memory it would need.' },
    [`${SECTION}.sweepLengths`]: {
      type: 'string',
      default: SETTING_DEFAULTS.sweepLengths,
      pattern: '^\\s*\\d+(\\s*[, ]\\s*\\d+)*\\s*$',
      description: 'Lengths N of a sweep (each 1..65536), separated by commas; the view can change them per sweep.',
    },
    [`${SECTION}.sweepPointBudgetMs`]: {
      type: 'number',
      minimum: 0,
      maximum: 600000,
      default: SETTING_DEFAULTS.sweepPointBudgetMs,
      description: 'Time budget per sweep point: a slow point stops at 3 timed runs (never fewer) instead of 5, and the report says so.',
    },
    [`${SECTION}.threads`]: {
      type: 'integer',
      minimum: 1,
      maximum: 256,
      default: SETTING_DEFAULTS.threads,
      description: 'Threads for the webasm backend (gpu.js worker pool). 1 runs the kernels on the worker thread itself, which gives steadier timings and scaling curves; more can be faster on large inputs.',
    },
    [`${SECTION}.variants`]: {
      type: 'array',
      items: { type: 'string', enum: VARIANTS.map((v) => v.id) },
      uniqueItems: true,
      default: VARIANTS.map((v) => v.id),
      description: 'Variants to run, in the order shown.',
    },
  };
  for (const variant of VARIANTS) {
    if (variant.params.length === 0) continue;
    properties[`${SECTION}.params.${variant.id}`] = {
      type: 'object',
      description: `Parameters of ${variant.name}. Unset ones take their defaults.`,
      properties: Object.fromEntries(variant.params.map((p) => [p.name, paramSchema(p)])),
      additionalProperties: false,
      default: {},
    };
  }
  return { title: 'Attention Profiler', properties };
}
