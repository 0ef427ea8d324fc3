/**
 * `npm run lab`: starts the simulator lab in the foreground, prints the environment that
 * points drperm at it, and stops it on Ctrl-C.
 */
import { Command, InvalidArgumentError } from 'commander';
import type { LabInfo, LabScale } from './launch';
import { startLab } from './launch';

/** Single-quotes a value for POSIX shells: `Lab&<Pass>1` -> 'Lab&<Pass>1'. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function exportLines(lab: LabInfo): string[] {
  return [
    `export DRPERM_URL=${shellQuote(lab.url)}`,
    `export DRPERM_USERNAME=${shellQuote(lab.username)}`,
    `export DRPERM_PASSWORD=${shellQuote(lab.password)}`,
    `export DRPERM_THUMBPRINT=${shellQuote(lab.thumbprintSha256)}`,
    `# or, instead of pinning the certificate (drperm warns): export DRPERM_INSECURE=1`,
    `# or trust the lab's certificate file: --ca-file ${shellQuote(lab.certFile)}`,
  ];
}

function count(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

interface LabCliOptions {
  scenario: string;
  port?: number;
  vcsimSemantics?: boolean;
  scaleDatacenters?: number;
  scaleClusters?: number;
  scaleHosts?: number;
  scaleTenants?: number;
  scaleVms?: number;
}

async function main(argv: string[]): Promise<void> {
  const program = new Command('npm run lab --')
    .description('Start the vCenter simulator lab in the foreground (Ctrl-C stops it).')
    .option('--scenario <name|file>', 'scenario in test/sim/scenarios, or a YAML/JSON file', 'lab')
    .option('--port <n>', 'port on 127.0.0.1 (default: a free port)', count)
    .option('--vcsim-semantics', "keep vcsim's own semantics instead of a real vCenter's")
    .option('--scale-datacenters <n>', 'benchmark: datacenters DC0..', count)
    .option('--scale-clusters <n>', 'benchmark: clusters per datacenter', count)
    .option('--scale-hosts <n>', 'benchmark: hosts per new cluster (default 3)', count)
    .option(
      '--scale-tenants <n>',
      'benchmark: tenants tenant-000.. (default: one per 250 VMs)',
      count,
    )
    .option('--scale-vms <n>', 'benchmark: VMs spread over the tenants', count)
    .addHelpText(
      'after',
      '\nExamples:\n  npm run lab\n  npm run lab -- --scenario demo --port 8989\n  npm run lab -- --scale-vms 45000',
    )
    .parse(argv);
  const opts = program.opts<LabCliOptions>();
  const scale: LabScale = {
    datacenters: opts.scaleDatacenters,
    clusters: opts.scaleClusters,
    hostsPerCluster: opts.scaleHosts,
    tenants: opts.scaleTenants,
    vms: opts.scaleVms,
  };
  const large = (opts.scaleVms ?? 0) > 5000;
  process.stderr.write(`Starting the simulator lab (scenario ${opts.scenario})...\n`);
  const lab = await startLab({
    scenario: opts.scenario,
    port: opts.port,
    vcsimSemantics: opts.vcsimSemantics === true,
    scale,
    timeoutMs: large ? 30 * 60_000 : 120_000,
    onLog: (line) => process.stderr.write(line + '\n'),
  });
  process.stdout.write(exportLines(lab).join('\n') + '\n');
  process.stderr.write(`Lab ready at ${lab.url} (pid ${lab.pid}). Press Ctrl-C to stop.\n`);
  const stop = () => {
    void lab.stop().then(() => {
      process.stderr.write('Lab stopped.\n');
      process.exit(0);
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main(process.argv).catch((err: unknown) => {
    process.stderr.write(`lab: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  });
}
