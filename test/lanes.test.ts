import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseLane, type WorkerLane } from '../src/extension/lanes';
import type { EngineLane } from '../src/extension/worker-client';
import type { BackendName } from '../src/model/backends';
import type { ProbeResult } from '../src/model/probe';

/** A lane whose probes answer as given; it records what it was asked. */
function fakeLane(answers: Partial<Record<BackendName, ProbeResult>>, asked: BackendName[]): EngineLane {
  const unused = () => {
    throw new Error('the chooser does not run anything');
  };
  return {
    probe: (backends) => {
      asked.push(...backends);
      return Promise.resolve(backends.map((b) => answers[b] ?? { backend: b, ok: false, reason: 'no answer' }));
    },
    run: unused,
    sweep: unused,
  };
}

function fakeWorker(answers: Partial<Record<BackendName, ProbeResult>>, asked: BackendName[]): WorkerLane {
  return { ...fakeLane(answers, asked), tokenize: (text) => Promise.resolve({ tokens: text.split(' ').map((t, i) => ({ id: i, text: t })), from: 'text' }) };
}

const ok = (backend: BackendName, device: string, software = false): ProbeResult => ({
  backend,
  ok: true,
  reason: 'test kernel ran and returned the right numbers',
  device,
  ...(software ? { software } : {}),
});
const no = (backend: BackendName, reason: string): ProbeResult => ({ backend, ok: false, reason });

describe('choosing the lane in VS Code', () => {
  it("auto takes the worker's WebGPU when it is real hardware, without asking the view", async () => {
    const asked: BackendName[] = [];
    const choice = await chooseLane(
      { worker: fakeWorker({ webgpu: ok('webgpu', 'nvidia') }, asked), view: () => Promise.resolve(fakeLane({}, asked)) },
      'auto',
      'a b c',
      'whitespace',
      10,
    );
    assert.equal(choice.laneName, 'worker');
    assert.deepEqual(choice.auto, { order: ['webgpu', 'view-webgpu', 'view-webgl2', 'webasm', 'cpu'], known: [] });
    assert.deepEqual(asked, ['webgpu']);
  });

  it("auto runs in the view's GPU lane when the worker has no WebGPU, sending tokens and the worker's probe", async () => {
    const asked: BackendName[] = [];
    const workerGpu = no('webgpu', 'Dawn found no WebGPU adapter');
    const choice = await chooseLane(
      { worker: fakeWorker({ webgpu: workerGpu }, asked), view: () => Promise.resolve(fakeLane({ 'view-webgpu': ok('view-webgpu', 'WebGPU: apple m3') }, asked)) },
      'auto',
      'a b c',
      'whitespace',
      10,
    );
    assert.equal(choice.laneName, 'view');
    assert.deepEqual(choice.input, {
      kind: 'tokens',
      tokens: [
        { id: 0, text: 'a' },
        { id: 1, text: 'b' },
        { id: 2, text: 'c' },
      ],
      from: 'text',
    });
    assert.deepEqual(choice.auto, { order: ['view-webgpu', 'view-webgl2', 'webasm', 'cpu'], known: [workerGpu] });
  });

  it('auto never prefers a software adapter to webasm, and says so for each', async () => {
    const asked: BackendName[] = [];
    const choice = await chooseLane(
      {
        worker: fakeWorker({ webgpu: ok('webgpu', 'WebGPU: google swiftshader', true) }, asked),
        view: () =>
          Promise.resolve(
            fakeLane({ 'view-webgpu': ok('view-webgpu', 'WebGPU: swiftshader', true), 'view-webgl2': ok('view-webgl2', 'WebGL2: ANGLE (SwiftShader)', true) }, asked),
          ),
      },
      'auto',
      'a b',
      'whitespace',
      10,
    );
    assert.equal(choice.laneName, 'worker');
    assert.deepEqual(choice.auto?.order, ['webasm', 'cpu']);
    assert.deepEqual(
      choice.auto?.known.map((p) => p.backend),
      ['webgpu', 'view-webgpu', 'view-webgl2'],
    );
    for (const p of choice.auto?.known ?? []) assert.match(p.reason, /is a software adapter \(a CPU\): auto prefers webasm; choose [\w-]+ explicitly to use it$/u);
  });

  it("auto says the view is not open when it falls past the view's lane for that reason", async () => {
    const choice = await chooseLane({ worker: fakeWorker({}, []), view: () => Promise.resolve(undefined) }, 'auto', 'a', 'whitespace', 10);
    assert.equal(choice.laneName, 'worker');
    assert.match(choice.auto?.known.find((p) => p.backend === 'view-webgpu')?.reason ?? '', /the Attention comparison view is not open/u);
  });

  it('a forced view backend opens the view; a forced worker backend probes nothing here', async () => {
    const opened: boolean[] = [];
    const view = await chooseLane(
      {
        worker: fakeWorker({}, []),
        view: (open) => {
          opened.push(open);
          return Promise.resolve(fakeLane({}, []));
        },
      },
      'view-webgl2',
      'a',
      'whitespace',
      10,
    );
    assert.deepEqual([view.laneName, view.auto, opened], ['view', undefined, [true]]);
    const asked: BackendName[] = [];
    const worker = await chooseLane({ worker: fakeWorker({}, asked), view: () => Promise.resolve(undefined) }, 'webasm', 'a', 'whitespace', 10);
    assert.deepEqual([worker.laneName, worker.input, asked], ['worker', { kind: 'text', text: 'a' }, []]);
  });
});
