import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeToken, isolateToken } from '../webview/format';

const FSI = '\u2068';
const PDI = '\u2069';

describe("a token's text in the view (tooltips, cards, saved runs)", () => {
  it('is isolated, so right-to-left text in a token cannot reorder the rest of the line', () => {
    assert.equal(isolateToken('\u05e9\u05dc\u05d5\u05dd'), `${FSI}\u05e9\u05dc\u05d5\u05dd${PDI}`);
    assert.equal(describeToken([{ text: 'a' }, { text: '\u0645\u0631\u062d\u0628\u0627' }], 1), `#1 "${FSI}\u0645\u0631\u062d\u0628\u0627${PDI}"`);
  });

  it('shows bidirectional controls by their code point: an override cannot reverse what follows, nor a pop close the isolate early', () => {
    assert.equal(isolateToken('\u202eevil'), `${FSI}[U+202E]evil${PDI}`);
    assert.equal(isolateToken('a\u2069\u202eb'), `${FSI}a[U+2069][U+202E]b${PDI}`);
    assert.equal(isolateToken('\u200f\u061c\u2066x\u202a'), `${FSI}[U+200F][U+061C][U+2066]x[U+202A]${PDI}`);
    for (const text of ['\u202e', '\u202b\u202c', '\u2067\u2069\u2069']) {
      const shown = isolateToken(text);
      assert.equal(
        [...shown].filter((c) => /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u.test(c)).join(''),
        FSI + PDI,
        `only the isolate's own controls in ${JSON.stringify(shown)}`,
      );
    }
  });

  it('makes white space visible and cuts long tokens, inside the isolate', () => {
    assert.equal(describeToken([{ text: ' a\tb\n' }], 0), `#0 "${FSI}\u00b7a\u2192b\u21b5${PDI}"`);
    assert.equal(isolateToken('x'.repeat(30)), `${FSI}${'x'.repeat(24)}\u2026${PDI}`);
    assert.equal(describeToken(undefined, 3), '#3');
  });
});
