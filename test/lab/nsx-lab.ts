/**
 * Runs drperm's NSX Manager test server until interrupted, for the demo and for trying
 * `drperm nsx ...` by hand. Prints one JSON line when ready (url, username, password,
 * thumbprints, certFile: the same fields as the vCenter lab's info).
 *
 *   node dist-lab/nsx-lab.js [--scenario avs|clean] [--port N] [--page-size N]
 */
import { startNsxServer, type NsxScenario } from './nsx-server';

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const scenario = (argValue(args, '--scenario') ?? 'avs') as NsxScenario;
  if (scenario !== 'avs' && scenario !== 'clean') {
    process.stderr.write(`nsx-lab: --scenario must be avs or clean\n`);
    process.exit(2);
  }
  const port = argValue(args, '--port');
  const pageSize = argValue(args, '--page-size');
  const server = await startNsxServer({
    scenario,
    ...(port ? { port: Number(port) } : {}),
    ...(pageSize ? { pageSize: Number(pageSize) } : {}),
  });
  const { url, username, password, thumbprintSha256, thumbprintSha1, certFile } = server;
  process.stdout.write(
    JSON.stringify({ url, username, password, thumbprintSha256, thumbprintSha1, certFile }) + '\n',
  );
  const stop = () => void server.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`nsx-lab: ${(err as Error).message}\n`);
  process.exit(3);
});
