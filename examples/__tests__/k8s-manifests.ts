/**
 * The Kubernetes example (examples/fleet/k8s) as objects, and the environment its StatefulSet
 * gives the collector container: plain `value`s, and `valueFrom.secretKeyRef` resolved from the
 * Secret in the same folder, so a test can start a collector exactly as a pod would run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const K8S_DIR = fileURLToPath(new URL('../fleet/k8s/', import.meta.url));

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [key: string]: any };

/** Every object of every `*.yaml` in the folder except the kustomization, with its file. */
export function loadK8sObjects(dir = K8S_DIR): { file: string; object: K8sObject }[] {
  const out: { file: string; object: K8sObject }[] = [];
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.yaml') && name !== 'kustomization.yaml').sort()) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.join('; ')}`);
      const value = doc.toJS() as K8sObject | null;
      if (value !== null) out.push({ file, object: value });
    }
  }
  return out;
}

/** The collector container's environment as the kubelet builds it (secrets included). */
export function statefulSetEnv(objects: readonly K8sObject[]): Record<string, string> {
  const statefulSet = objects.find((o) => o.kind === 'StatefulSet')!;
  const secrets = new Map(objects.filter((o) => o.kind === 'Secret').map((o) => [o.metadata.name, { ...(o.stringData ?? {}), ...Object.fromEntries(Object.entries<string>(o.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')])) }]));
  const env: Record<string, string> = {};
  for (const entry of statefulSet.spec.template.spec.containers[0].env as { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[]) {
    if (entry.value !== undefined) env[entry.name] = entry.value;
    else if (entry.valueFrom?.secretKeyRef) {
      const { name, key } = entry.valueFrom.secretKeyRef;
      const value = secrets.get(name)?.[key];
      if (value === undefined) throw new Error(`env ${entry.name}: Secret ${name} has no key ${key}`);
      env[entry.name] = value;
    } else throw new Error(`env ${entry.name}: neither value nor secretKeyRef`);
  }
  return env;
}
