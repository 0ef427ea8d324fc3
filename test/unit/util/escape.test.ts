import { escapeControl, firstControl, hasControl } from '../../../src/util/escape';

describe('escapeControl', () => {
  it('writes newline, CR, tab, ESC, BEL and DEL in C notation', () => {
    expect(escapeControl('a\nb\rc\td\x1b[31me\x07f\x7f')).toBe(
      'a\\nb\\rc\\td\\x1b[31me\\x07f\\x7f',
    );
  });

  it('escapes C1 controls, line separators and bidirectional overrides', () => {
    expect(escapeControl('x\u009by\u2028z\u202eq')).toBe('x\\x9by\\u2028z\\u202eq');
  });

  it('keeps newlines and tabs with keepLayout, but never ESC, BEL or CR', () => {
    expect(escapeControl('line 1\n\tline 2\x1b]0;title\x07\r', { keepLayout: true })).toBe(
      'line 1\n\tline 2\\x1b]0;title\\x07\\r',
    );
  });

  it('leaves printable text, backslashes and non-Latin names alone', () => {
    const name = 'VSPHERE.LOCAL\\asr-contoso Müller 東京 =HYPERLINK("x")';
    expect(escapeControl(name)).toBe(name);
    expect(hasControl(name)).toBe(false);
  });

  it('finds the first control character and its position', () => {
    expect(firstControl('abc\x1bdef\n')).toEqual({ escaped: '\\x1b', index: 3 });
    expect(firstControl('plain')).toBeUndefined();
  });

  it('gives the same answer when called repeatedly (no regex state between calls)', () => {
    for (let i = 0; i < 3; i++) expect(hasControl('a\nb')).toBe(true);
  });
});
