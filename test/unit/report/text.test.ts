import { cellText, MAX_CELL_CHARS } from '../../../src/report/text';
import { escapeControl } from '../../../src/util/escape';

describe('cellText', () => {
  it('writes control characters as the terminal and the Markdown summary do', () => {
    const name = 'vm-\r\x1b[31m\x07\u009b\u202eevil\u2028\ufffe';
    expect(cellText(name)).toBe('vm-\\r\\x1b[31m\\x07\\x9b\\u202eevil\\u2028\\ufffe');
    expect(cellText(name)).toBe(escapeControl(name));
  });

  it("keeps line breaks and tabs: they are a cell's layout", () => {
    expect(cellText('line 1\n\tline 2')).toBe('line 1\n\tline 2');
  });

  it('protects text that looks like an OOXML escape and leaves plain names alone', () => {
    expect(cellText('literal _x0041_ stays')).toBe('literal _x005F_x0041_ stays');
    expect(cellText('VSPHERE.LOCAL\\asr-contoso')).toBe('VSPHERE.LOCAL\\asr-contoso');
  });

  it("cuts text to Excel's cell limit with a note", () => {
    const text = cellText('a'.repeat(MAX_CELL_CHARS + 10));
    expect(text).toHaveLength(MAX_CELL_CHARS);
    expect(text).toMatch(/truncated/);
  });
});
