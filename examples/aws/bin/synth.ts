/**
 * `npm run synth`: writes the CloudFormation template to `cdk.out/` (offline; no AWS account is
 * contacted). Settings come from `stack-config.json` beside this folder; `--context key=value`
 * pairs override them (e.g. `npm run synth -- --context firehose=true`). Deploy the template with
 * `cdk deploy --app cdk.out` or the CloudFormation console.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { loadLakeCatalog } from '@shopstream/collector';
import { ShopstreamStack } from '../lib/shopstream-stack.js';

const here = join(import.meta.dirname, '..');
const settings = JSON.parse(readFileSync(join(here, 'stack-config.json'), 'utf8')) as Record<string, unknown>;
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  if (args[i] !== '--context' || !args[i + 1]?.includes('=')) continue;
  const [name, ...rest] = args[i + 1]!.split('=');
  const text = rest.join('=');
  settings[name!] = /^(true|false|\d+)$/.test(text) ? JSON.parse(text) : text;
}

const app = new App({ outdir: join(here, 'cdk.out') });
const stack = new ShopstreamStack(app, String(settings.stackName ?? 'Shopstream'), {
  env: { region: String(settings.region), ...(settings.account ? { account: String(settings.account) } : {}) },
  catalog: await loadLakeCatalog(typeof settings.schemasDir === 'string' ? join(here, settings.schemasDir) : undefined),
  sources: settings.sources as string[],
  oidcProviderArn: String(settings.oidcProviderArn),
  oidcIssuer: String(settings.oidcIssuer),
  namespace: String(settings.namespace ?? 'shopstream'),
  serviceAccount: String(settings.serviceAccount ?? 'shopstream-collector'),
  kinesisShards: (settings.kinesisShards as number | 'on-demand' | undefined) ?? 'on-demand',
  firehose: settings.firehose === true,
  lakeFormat: (settings.lakeFormat as 'parquet' | 'ndjson' | undefined) ?? 'parquet',
  ...(typeof settings.firstDay === 'string' ? { firstDay: settings.firstDay } : {}),
});
const assembly = app.synth();
const template = assembly.getStackByName(stack.stackName);
console.log(`wrote ${template.templateFullPath} (${Object.keys(template.template.Resources ?? {}).length} resources)`);
