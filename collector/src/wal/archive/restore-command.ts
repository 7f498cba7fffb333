/**
 * `shopstream-collector wal restore --from s3://<bucket>/<prefix>/<nodeId> [--endpoint <url>]
 * [--region <r>] <dir>`: rebuilds a node's log from its archive, then verifies it as `wal verify`
 * does. Credentials come from the AWS SDK's default chain. Exit 0 restored, 1 failed, 2 usage.
 */
import { createS3Client } from '../../sinks/aws/clients.js';
import { isWalError } from '../errors.js';
import { formatVerifyReport, verifyWal } from '../verify.js';
import { parseArchiveUrl } from './archive-layout.js';
import { s3ArchiveStore } from './archive-store.js';
import { restoreWal } from './restore.js';

const FLAGS = ['--from', '--endpoint', '--region'] as const;

export async function restoreCommand(args: readonly string[], usage: string): Promise<number> {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if ((FLAGS as readonly string[]).includes(arg)) {
      const value = args[++i];
      if (!value) return fail(`${arg} needs a value`, usage);
      flags.set(arg, value);
    } else if (arg.startsWith('--')) {
      return fail(`unknown flag ${arg}`, usage);
    } else {
      positional.push(arg);
    }
  }
  const from = flags.get('--from');
  if (!from || positional.length !== 1) return fail('wal restore needs --from s3://<bucket>/<prefix>/<nodeId> and one target directory', usage);
  try {
    const location = parseArchiveUrl(from);
    const endpoint = flags.get('--endpoint');
    const region = flags.get('--region');
    const client = createS3Client({ ...(endpoint ? { endpoint } : {}), ...(region ? { region } : {}) });
    const report = await restoreWal({ store: s3ArchiveStore(client, location.bucket), base: location.base, dir: positional[0]! });
    client.destroy();
    console.log(`restored ${report.segments} segment(s), ${report.bytes} bytes, up to Lsn ${report.endLsn}, node id ${report.nodeId ?? '(none archived)'} into ${report.dir}`);
    for (const [name, state] of Object.entries(report.cursors)) console.log(`  cursor ${name}: committed ${state.committed}${state.inflight ? `, inflight ${state.inflight.from}-${state.inflight.to}` : ''}`);
    const verified = await verifyWal(report.dir);
    console.log(formatVerifyReport(verified));
    return verified.ok ? 0 : 1;
  } catch (error) {
    if (!isWalError(error)) throw error;
    console.error(`shopstream-collector: ${error.code}: ${error.message}`);
    return 1;
  }
}

function fail(message: string, usage: string): number {
  console.error(`shopstream-collector: ${message}\n${usage}`);
  return 2;
}
