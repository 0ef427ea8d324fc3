import { Command } from 'commander';
import { addTenantFilesOption, tenantFiles } from '../../../src/cli/tenant-option';
import { InputError } from '../../../src/util/errors';

function parse(spelling: 'tenant' | 'tenants', argv: string[]) {
  const cmd = addTenantFilesOption(new Command('x').exitOverride(), spelling, 'tenant files');
  cmd.parse(argv, { from: 'user' });
  return tenantFiles(cmd.opts());
}

describe('the tenant files option', () => {
  it('takes the documented spelling, repeated or with several values', () => {
    expect(parse('tenant', ['--tenant', 'a.yaml', '--tenant', 'b.yaml'])).toEqual([
      'a.yaml',
      'b.yaml',
    ]);
    expect(parse('tenants', ['--tenants', 'a.yaml', 'dir/'])).toEqual(['a.yaml', 'dir/']);
    expect(parse('tenants', ['-t', 'dir/'])).toEqual(['dir/']);
  });

  it('also takes the other spelling, without showing it in --help', () => {
    expect(parse('tenant', ['--tenants', 'dir/'])).toEqual(['dir/']);
    expect(parse('tenants', ['--tenant', 'a.yaml'])).toEqual(['a.yaml']);
    const help = addTenantFilesOption(new Command('x'), 'tenant', 'tenant files').helpInformation();
    expect(help).toContain('--tenant <fileOrDir...>');
    expect(help).not.toContain('--tenants');
  });

  it('refuses to run without any tenant file, saying how to give one', () => {
    expect(() => parse('tenant', [])).toThrow(InputError);
    expect(() => parse('tenant', [])).toThrow(/no tenant policy given/);
  });
});
