import { catalogOf } from '../src/engine/catalog';
import type { Variant } from '../src/engine/variants/variant';
import { BACKEND_CHOICES } from '../src/model/backends';
import { LIMITS, SETTING_DEFAULTS } from '../src/model/limits';
import type { ParamSpec } from '../src/model/params';
import { TOKENIZERS } from '../src/model/tokenizers';

/**
 * The extension's settings, as contributed in package.json (`npm run generate` writes them; a
 * test checks package.json is current). Ranges come from src/model/limits.ts and the parameters
 * from the variants' own specs, so a setting can never disagree with what the engine accepts.
 */

const SECTION = 'attentionProfiler';

type JsonSchema = Record<string, unknown>;

function paramSchema(spec: ParamSpec, description: string): JsonSchema {
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

export function configurationContribution(variants: readonly Variant[]): JsonSchema {
  const ids = variants.map((v) => v.id);
  const properties: Record<string, JsonSchema> = {
    [`${SECTION}.backend`]: {
      type: 'string',
      enum: [...BACKEND_CHOICES],
      default: SETTING_DEFAULTS.backend,
      description:
        'Backend for the gpu.js kernels. auto tries webgpu, headlessgl, webasm, cpu in order and shows why each was or was not used; a forced backend that cannot run is an error.',
    },
    [`${SECTION}.headDim`]: { type: 'integer', minimum: LIMITS.minD, maximum: LIMITS.maxD, default: SETTING_DEFAULTS.d, description: 'Head dimension d of the synthetic Q, K, V.' },
    [`${SECTION}.causal`]: {
      type: 'boolean',
      default: SETTING_DEFAULTS.causal,
      description: 'Causal (autoregressive) attention; off = bidirectional. Causal-only variants are skipped when off.',
    },
    [`${SECTION}.seed`]: {
      type: 'integer',
      minimum: 0,
      maximum: LIMITS.maxSeed,
      default: SETTING_DEFAULTS.seed,
      description: 'Seed of the synthetic embeddings, projections and seeded variant weights.',
    },
    [`${SECTION}.tokenizer`]: {
      type: 'string',
      enum: [...TOKENIZERS],
      default: SETTING_DEFAULTS.tokenizer,
      description: 'Tokenizer for text (the view can change it per run). Text starting with "ids:" is read as token ids.',
    },
    [`${SECTION}.maxTokens`]: { type: 'integer', minimum: 1, maximum: LIMITS.maxTokens, default: SETTING_DEFAULTS.maxTokens, description: 'Longest input accepted, in tokens.' },
    [`${SECTION}.timeBudgetMs`]: {
      type: 'number',
      minimum: 0,
      maximum: LIMITS.maxBudgetMs,
      default: SETTING_DEFAULTS.timeBudgetMs,
      description: `Time budget per variant: timed runs continue past the minimum of ${LIMITS.minRepeats} while within it.`,
    },
    [`${SECTION}.memoryBudgetMiB`]: {
      type: 'integer',
      minimum: 1,
      maximum: LIMITS.maxMemoryBudgetMiB,
      default: SETTING_DEFAULTS.memoryBudgetMiB,
      description:
        "A variant whose predicted intermediates and weights exceed this is skipped, with the memory it would need. At most the machine's memory: a larger value is lowered to it, and the run says so.",
    },
    [`${SECTION}.sweepLengths`]: {
      type: 'string',
      default: SETTING_DEFAULTS.sweepLengths.join(', '),
      pattern: '^\\s*\\d+(\\s*[, ]\\s*\\d+)*\\s*$',
      description: `Lengths N of a sweep (each 1..${LIMITS.maxTokens}), separated by commas; the view can change them per sweep.`,
    },
    [`${SECTION}.sweepPointBudgetMs`]: {
      type: 'number',
      minimum: 0,
      maximum: LIMITS.maxBudgetMs,
      default: SETTING_DEFAULTS.pointBudgetMs,
      description: 'Time budget per sweep point: a slow point stops at 3 timed runs (never fewer) instead of 5, and the report says so.',
    },
    [`${SECTION}.threads`]: {
      type: 'integer',
      minimum: 1,
      maximum: LIMITS.maxThreads,
      default: SETTING_DEFAULTS.threads,
      description:
        'Threads for the webasm backend (gpu.js worker pool). 1 runs the kernels on the worker thread itself, which gives steadier timings and scaling curves; more can be faster on large inputs.',
    },
    [`${SECTION}.variants`]: {
      type: 'array',
      items: { type: 'string', enum: ids },
      uniqueItems: true,
      default: ids,
      description: 'Variants to run, in the order shown.',
    },
  };
  const catalog = catalogOf(variants);
  for (const variant of variants) {
    const entries = Object.entries(variant.params);
    if (entries.length === 0) continue;
    const described = catalog.find((c) => c.id === variant.id)?.params ?? [];
    properties[`${SECTION}.params.${variant.id}`] = {
      type: 'object',
      description: `Parameters of ${variant.name}. Unset ones take their defaults.`,
      properties: Object.fromEntries(
        entries.map(([name, spec]) => {
          const d = described.find((p) => p.name === name);
          return [name, paramSchema(spec, `${spec.description}. Default ${d?.default ?? ''}; ${d?.range ?? ''}.`)];
        }),
      ),
      additionalProperties: false,
      default: {},
    };
  }
  return { title: 'Attention Profiler', properties };
}
