// The container fleet cannot run here (no Docker engine), so its files are checked for what a
// broken deploy would miss: parseable YAML, required k8s fields, probes, WAL volumes, selectors
// that match, compose wiring, Dockerfile instructions, and an nginx config nginx itself accepts.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig, sinkTypes } from '@shopstream/collector';
import { parse, parseAllDocuments } from 'yaml';
import { statefulSetEnv } from './k8s-manifests.js';

const fleetDir = join(import.meta.dirname, '..', 'fleet');
const k8sDir = join(fleetDir, 'k8s');
const collectorLabel = { 'app.kubernetes.io/name': 'shopstream-collector' };

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; spec?: any; data?: Record<string, string> };

function loadK8s(): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const file of readdirSync(k8sDir).filter((name) => name.endsWith('.yaml'))) {
    for (const doc of parseAllDocuments(readFileSync(join(k8sDir, file), 'utf8'))) {
      expect(doc.errors, `${file}: ${doc.errors.join('; ')}`).toEqual([]);
      const value = doc.toJS();
      if (value !== null) objects.push(value);
    }
  }
  return objects;
}

function only(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((object) => object.kind === kind);
}

describe('k8s manifests', () => {
  const objects = loadK8s().filter((object) => object.kind !== 'Kustomization');
  const [statefulSet] = only(objects, 'StatefulSet');

  it('every object has apiVersion, kind, metadata.name and a body', () => {
    expect(objects.map((object) => object.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'Namespace', 'PodDisruptionBudget', 'Secret', 'Service', 'Service', 'Service', 'ServiceAccount', 'StatefulSet']);
    for (const object of objects) {
      expect(object.apiVersion, object.kind).toMatch(/^([a-z.]+\/)?v\d+((alpha|beta)\d+)?$/);
      expect(object.metadata.name, object.kind).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      if (!['Namespace', 'ServiceAccount'].includes(object.kind)) expect(object.spec ?? object.data ?? (object as any).stringData, object.kind).toBeTypeOf('object');
    }
  });

  it('the StatefulSet gives each pod a WAL volume, probes, a drain hook and enough grace', () => {
    expect(statefulSet).toBeDefined();
    const spec = statefulSet!.spec;
    expect(spec.selector.matchLabels).toMatchObject(collectorLabel);
    expect(spec.template.metadata.labels).toMatchObject(spec.selector.matchLabels);
    expect(only(objects, 'Service').map((service) => service.metadata.name)).toContain(spec.serviceName);

    const [claim] = spec.volumeClaimTemplates;
    expect(claim.metadata.name).toBe('wal');
    expect(claim.spec.accessModes).toEqual(['ReadWriteOnce']);
    expect(claim.spec.resources.requests.storage).toMatch(/^\d+(Gi|Mi)$/);

    const pod = spec.template.spec;
    const [container] = pod.containers;
    expect(container.volumeMounts).toContainEqual({ name: 'wal', mountPath: '/var/lib/shopstream/wal' });
    expect(container.readinessProbe.httpGet).toMatchObject({ path: '/readyz', port: 'http' });
    expect(container.livenessProbe.httpGet).toMatchObject({ path: '/healthz', port: 'http' });
    expect(container.ports).toContainEqual({ name: 'http', containerPort: 8787 });
    expect(container.lifecycle.preStop.exec.command).toEqual(['sleep', '10']);
    expect(pod.securityContext.runAsNonRoot).toBe(true);

    // The grace period must cover preStop + the collector's drain timeout from the ConfigMap.
    const configMap = only(objects, 'ConfigMap').find((object) => object.metadata.name === pod.volumes.find((v: any) => v.name === 'config').configMap.name);
    const collectorConfig = parse(configMap!.data!['collector.yaml']!);
    expect(collectorConfig.wal.dir).toBe('/var/lib/shopstream/wal');
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(10 + collectorConfig.delivery.drainDeadlineMs / 1000);
  });

  it('Services, PDB and HPA select or target the StatefulSet', () => {
    const labels = statefulSet!.spec.template.metadata.labels;
    const collectorServices = only(objects, 'Service').filter((s) => s.metadata.name.startsWith('shopstream-collector'));
    expect(collectorServices).toHaveLength(2);
    for (const selecting of [...collectorServices.map((s) => s.spec.selector), only(objects, 'PodDisruptionBudget')[0]!.spec.selector.matchLabels]) {
      expect(Object.keys(selecting).length).toBeGreaterThan(0);
      for (const [key, value] of Object.entries(selecting)) expect(labels[key], key).toBe(value);
    }
    const pdb = only(objects, 'PodDisruptionBudget')[0]!;
    expect(pdb.apiVersion).toBe('policy/v1');
    expect(pdb.spec.maxUnavailable ?? pdb.spec.minAvailable).toBeDefined();

    const hpa = only(objects, 'HorizontalPodAutoscaler')[0]!;
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: statefulSet!.apiVersion, kind: 'StatefulSet', name: statefulSet!.metadata.name });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(statefulSet!.spec.replicas);
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
    expect(hpa.spec.metrics[0].resource.target.averageUtilization).toBeGreaterThan(0);
  });

  it('kustomization lists every manifest', () => {
    const kustomization = parse(readFileSync(join(k8sDir, 'kustomization.yaml'), 'utf8'));
    const manifests = readdirSync(k8sDir).filter((name) => name.endsWith('.yaml') && name !== 'kustomization.yaml');
    expect([...kustomization.resources].sort()).toEqual(manifests.sort());
  });
});

describe('compose.yaml', () => {
  const compose = parse(readFileSync(join(fleetDir, 'compose.yaml'), 'utf8'), { merge: true });
  const collectors = ['collector-1', 'collector-2', 'collector-3'];

  it('runs three collectors, each with its own WAL volume, healthcheck and healthy dependencies', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['aws', ...collectors, 'nginx', 'redis']);
    const walVolumes = new Set<string>();
    for (const name of collectors) {
      const service = compose.services[name];
      expect(service.build, name).toMatchObject({ context: '../..', dockerfile: 'examples/fleet/Dockerfile', target: 'runtime' });
      expect(service.healthcheck.test.join(' '), name).toContain('/readyz');
      expect(service.stop_signal).toBe('SIGTERM');
      expect(service.depends_on).toEqual({ redis: { condition: 'service_healthy' }, aws: { condition: 'service_healthy' } });
      const [volume] = service.volumes as string[];
      expect(volume).toMatch(/^wal-\d:\/var\/lib\/shopstream\/wal$/);
      walVolumes.add(volume!.split(':')[0]!);
    }
    expect(walVolumes.size).toBe(3);
    for (const volume of walVolumes) expect(Object.keys(compose.volumes)).toContain(volume);
  });

  it('nginx waits for healthy collectors; redis and the AWS emulators have healthchecks', () => {
    expect(Object.keys(compose.services.nginx.depends_on).sort()).toEqual(collectors);
    expect(compose.services.nginx.volumes).toContain('./nginx.conf:/etc/nginx/nginx.conf:ro');
    for (const name of ['nginx', 'redis', 'aws']) expect(compose.services[name].healthcheck.test.length, name).toBeGreaterThan(1);
    expect(compose.services.aws.command).toEqual(['node', 'examples/fleet/emulators.mjs']);
    expect(compose.configs['collector-config'].file).toBe('./collector.config.yaml');
    // Published ports stay on loopback unless someone opts in.
    for (const service of Object.values<any>(compose.services)) for (const port of service.ports ?? []) expect(port).toMatch(/^127\.0\.0\.1:/);
  });

  it('the collector config points at the compose hosts and the WAL volume', () => {
    const config = parse(readFileSync(join(fleetDir, 'collector.config.yaml'), 'utf8'));
    expect(config.wal.dir).toBe('/var/lib/shopstream/wal');
    expect(config.ingest.dedupe).toMatchObject({ store: 'redis', redisUrl: 'redis://redis:6379' });
    const sink = (type: string) => config.sinks.find((s: { type: string }) => s.type === type);
    expect(sink('kinesis').endpoint).toBe('http://aws:4567');
    expect(sink('s3')).toMatchObject({ endpoint: 'http://aws:4569', bucket: 'shopstream-lake' });
    for (const rule of config.routing) expect(config.sinks.map((s: { name: string }) => s.name)).toContain(rule.sink);
    expect(config.delivery.drainDeadlineMs / 1000).toBeLessThan(Number.parseInt(compose.services['collector-1'].stop_grace_period, 10));
  });
});

describe('collector configs pass the collector\'s own validator', () => {
  // As the collector reads them: the file (or ConfigMap entry) overlaid by the env the container gets.
  const check = (raw: any, env: Record<string, string> = {}) => parseConfig(raw, sinkTypes, env);
  const s3Prefixes = (config: ReturnType<typeof check>) => config.sinks.filter((sink) => sink.type === 's3').map((sink) => sink.prefix);

  it('compose: collector.config.yaml with each collector\'s env; one shared S3 prefix, a WAL volume (and so a node id) each', () => {
    const raw = parse(readFileSync(join(fleetDir, 'collector.config.yaml'), 'utf8'));
    const compose = parse(readFileSync(join(fleetDir, 'compose.yaml'), 'utf8'), { merge: true });
    const prefixes = ['collector-1', 'collector-2', 'collector-3'].map((name) => {
      const env = compose.services[name].environment;
      expect(env.AWS_ACCESS_KEY_ID, name).toBe('S3RVER'); // the shared env survived the per-service merge
      const config = check(raw, env);
      expect(config.ingest.dedupe).toMatchObject({ store: 'redis', redisUrl: 'redis://redis:6379', failMode: 'closed' });
      expect(config.sinks.map((sink) => sink.type).sort()).toEqual(['kinesis', 's3']);
      expect(config.routing.map((rule) => rule.sink).sort()).toEqual(['kinesis', 's3']);
      return s3Prefixes(config)[0];
    });
    // Object names start with the node id kept in each collector's own WAL volume, so a shared prefix is safe.
    expect(new Set(prefixes)).toEqual(new Set(['lake']));
    const walVolumes = ['collector-1', 'collector-2', 'collector-3'].map((name) => compose.services[name].volumes.find((volume: string) => volume.endsWith(':/var/lib/shopstream/wal')));
    expect(new Set(walVolumes).size).toBe(3);
    const alone = check(raw);
    expect(alone.sources.find((source) => source.id === 'orders')?.secret).toBeDefined();
    expect(alone.wal.fsync).toBe('always');
  });

  it('k8s: the ConfigMap\'s collector.yaml with the StatefulSet\'s env; one shared S3 prefix, a WAL volume per pod', () => {
    const objects = loadK8s();
    const configMap = objects.find((object) => object.kind === 'ConfigMap')!;
    const container = objects.find((object) => object.kind === 'StatefulSet')!.spec.template.spec.containers[0];
    const env = statefulSetEnv(objects);
    const config = check(parse(configMap.data!['collector.yaml']!), env);
    expect(config.sources.map((source) => [source.id, source.secret !== undefined])).toEqual([['web', false], ['orders', true]]);
    expect(config.delivery.deadLetterSink).toBe('s3');
    expect(s3Prefixes(config)).toEqual(['lake']);
    const statefulSet = objects.find((object) => object.kind === 'StatefulSet')!;
    expect(statefulSet.spec.volumeClaimTemplates.map((claim: { metadata: { name: string } }) => claim.metadata.name)).toContain(
      container.volumeMounts.find((mount: { mountPath: string }) => mount.mountPath === '/var/lib/shopstream/wal').name,
    );
    expect(config.ingest.dedupe.store).toBe('redis');
    expect(config.listen).toEqual({ host: '0.0.0.0', port: 8787 });
  });

  it('server example: examples/server/collector.config.yaml', () => {
    const config = check(parse(readFileSync(join(fleetDir, '..', 'server', 'collector.config.yaml'), 'utf8')));
    expect(config.sources.map((source) => [source.id, source.secret !== undefined])).toEqual([['web', false], ['orders', true]]);
  });

  it('a wrong key is refused, so the checks above can fail', () => {
    expect(() => check({ wal: { dri: '/x' } })).toThrow(/wal\.dri/);
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(fleetDir, 'Dockerfile'), 'utf8');
  // Instructions with their continuation lines folded, comments dropped.
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => ({ op: line.split(/\s+/)[0]!.toUpperCase(), args: line.slice(line.indexOf(' ') + 1).trim() }));
  const args = (op: string) => instructions.filter((instruction) => instruction.op === op).map((instruction) => instruction.args);

  it('is multi-stage: named build stages and a node:20-slim runtime that copies from them', () => {
    const stages = args('FROM').map((from) => from.match(/^(\S+) AS (\S+)$/i));
    expect(stages.every(Boolean)).toBe(true);
    expect(stages.map((match) => match![2])).toEqual(['deps', 'build', 'runtime']);
    expect(stages.at(-1)![1]).toBe('node:20-slim');
    expect(args('COPY').filter((copy) => copy.startsWith('--from=')).length).toBeGreaterThanOrEqual(3);
    expect(args('RUN').some((run) => run.includes('npx tsup'))).toBe(true);
  });

  it('runs as a non-root user with the WAL on a volume, a HEALTHCHECK and SIGTERM', () => {
    const runtime = instructions.slice(instructions.map((instruction) => instruction.op).lastIndexOf('FROM'));
    const user = runtime.filter((instruction) => instruction.op === 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(args('VOLUME').join(' ')).toContain('/var/lib/shopstream/wal');
    expect(args('HEALTHCHECK').join(' ')).toMatch(/CMD .*\/healthz/);
    expect(args('STOPSIGNAL')).toEqual(['SIGTERM']);
    expect(args('ENTRYPOINT').join(' ')).toContain('collector/dist/cli.js');
  });

  it('has a .dockerignore that keeps node_modules, dist and .git out of the context', () => {
    const ignore = readFileSync(join(fleetDir, 'Dockerfile.dockerignore'), 'utf8').split('\n');
    for (const pattern of ['**/node_modules', '**/dist', '.git']) expect(ignore).toContain(pattern);
    expect(readFileSync(join(fleetDir, '.dockerignore'), 'utf8')).toBe(ignore.join('\n'));
  });
});

describe('nginx.conf', () => {
  const tempDir = mkdtempSync(join(tmpdir(), 'shopstream-nginx-'));
  afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

  it('balances least_conn with keepalive and retries 502/503/connect errors upstream', () => {
    const conf = readFileSync(join(fleetDir, 'nginx.conf'), 'utf8');
    const upstream = conf.match(/upstream collectors \{([^}]*)\}/)![1]!;
    expect(upstream).toMatch(/^\s*least_conn;/m);
    expect(upstream).toMatch(/^\s*keepalive \d+;/m);
    expect(upstream.match(/server collector-\d:8787/g)).toHaveLength(3);
    expect(conf).toMatch(/proxy_next_upstream error timeout http_502 http_503 non_idempotent;/);
    expect(conf).toMatch(/proxy_set_header Connection "";/);
  });

  it('passes `nginx -t`', () => {
    // Compose service names do not resolve here and `nginx -t` resolves upstream hosts, so the
    // three names become loopback addresses; everything else is checked as written.
    const conf = readFileSync(join(fleetDir, 'nginx.conf'), 'utf8').replace(/collector-(\d):8787/g, '127.0.0.1:1878$1');
    const confPath = join(tempDir, 'nginx.conf');
    writeFileSync(confPath, conf);
    const result = spawnSync('/usr/sbin/nginx', ['-t', '-p', tempDir, '-c', confPath, '-e', join(tempDir, 'error.log')], { encoding: 'utf8' });
    expect(result.stderr).toContain('test is successful');
    expect(result.status).toBe(0);

    // And a broken config fails, so the check above can fail at all.
    writeFileSync(confPath, conf.replace('least_conn;', 'least_conn'));
    const broken = spawnSync('/usr/sbin/nginx', ['-t', '-p', tempDir, '-c', confPath, '-e', join(tempDir, 'error.log')], { encoding: 'utf8' });
    expect(broken.status).not.toBe(0);
  });
});
