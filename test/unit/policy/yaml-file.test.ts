import { z } from 'zod';
import { parseYamlSource, validateYaml } from '../../../src/policy/yaml-file';
import { InputError } from '../../../src/util/errors';

const Schema = z
  .object({
    mode: z.enum(['failback', 'failover-only']),
    items: z.array(z.object({ id: z.string(), label: z.string() }).strict()),
  })
  .strict();

function errorOf(text: string): InputError {
  try {
    validateYaml(parseYamlSource('p.yaml', text), Schema);
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('no error');
}

describe('policy file errors', () => {
  it('names the line of a YAML syntax error', () => {
    let err: unknown;
    try {
      parseYamlSource('p.yaml', 'mode: failback\nitems:\n  - id: a\n   label: b\n');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toMatch(/^p\.yaml:4: YAML syntax error/);
    expect((err as InputError).location).toEqual({ file: 'p.yaml', line: 4 });
  });

  it('suggests the nearest allowed value for a misspelt enum', () => {
    const err = errorOf('mode: failbak\nitems: []\n');
    expect(err.message).toMatch(/^p\.yaml:1 mode: .*did you mean "failback"\?/);
  });

  it('names an unknown field and the nearest known one', () => {
    const err = errorOf('mode: failback\nitems:\n  - id: a\n    label: b\n    lable: c\n');
    expect(err.message).toContain(
      'p.yaml:5 items[0].lable: unknown field "lable"; did you mean "label"?',
    );
  });

  it('lists every problem with its own line, not only the first', () => {
    const err = errorOf('mode: failbak\nitems:\n  - id: a\n    lable: b\n');
    expect(err.message.split('\n')[0]).toMatch(/^p\.yaml:1 mode: .*\(and 2 more problems\)$/);
    expect(err.message).toContain('\n  p.yaml:3 items[0].label: ');
    expect(err.message).toContain(
      '\n  p.yaml:4 items[0].lable: unknown field "lable"; did you mean "label"?',
    );
  });
});
