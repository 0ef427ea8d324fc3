import { PassThrough } from 'node:stream';
import { confirm, isYes } from '../../../src/cli/confirm';
import type { CommandContext } from '../../../src/cli/context';
import { InputError } from '../../../src/util/errors';
import { silentLogger } from '../../../src/util/log';

const ctx: CommandContext = {
  log: silentLogger,
  out: () => undefined,
  interactive: false,
  quiet: false,
  emit: () => undefined,
};

function terminal(answer: string | null) {
  const input = new PassThrough();
  const output = new PassThrough();
  let prompt = '';
  output.on('data', (d: Buffer) => (prompt += d.toString()));
  if (answer === null) input.end();
  else input.end(answer + '\n');
  return { io: { input, output, isTTY: true }, prompt: () => prompt };
}

describe('confirm', () => {
  it('returns true with --yes without asking, even without a terminal', async () => {
    const t = terminal(null);
    await expect(
      confirm('Apply?', { yes: true, ctx, io: { ...t.io, isTTY: false } }),
    ).resolves.toBe(true);
    expect(t.prompt()).toBe('');
  });

  it('refuses with exit 2 and a --yes hint when stdin is not a terminal', async () => {
    const t = terminal('y');
    const err = await confirm('Apply 3 changes?', { ctx, io: { ...t.io, isTTY: false } }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).exitCode).toBe(2);
    expect((err as InputError).message).toContain('Apply 3 changes?');
    expect((err as InputError).hint).toContain('--yes');
  });

  it('asks on the terminal and accepts y', async () => {
    const t = terminal('y');
    await expect(confirm('Create role?', { ctx, io: t.io })).resolves.toBe(true);
    expect(t.prompt()).toContain('Create role? [y/N]');
  });

  it('treats an empty answer, "n" and end of input as no', async () => {
    await expect(confirm('Q?', { ctx, io: terminal('').io })).resolves.toBe(false);
    await expect(confirm('Q?', { ctx, io: terminal('n').io })).resolves.toBe(false);
    await expect(confirm('Q?', { ctx, io: terminal(null).io })).resolves.toBe(false);
  });

  it.each([
    ['y', true],
    ['YES', true],
    [' yes ', true],
    ['no', false],
    ['yep', false],
    ['', false],
  ])('isYes(%j) is %s', (answer, expected) => {
    expect(isYes(answer)).toBe(expected);
  });
});
