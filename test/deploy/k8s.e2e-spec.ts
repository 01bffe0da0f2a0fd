import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { envSchema } from '../../src/platform/config/env.schema';
import { ConfigValidationError, validateEnv } from '../../src/platform/config/validate-env';

/**
 * The Kubernetes manifests in deploy/k8s, validated offline against the Kubernetes
 * JSON schemas (kubernetes-models), plus the project's own rules: probes on real health
 * routes, grace periods consistent with the drain and shutdown settings, and every
 * configured variable known to (and valid for) the config schema.
 */
const DIR = join(__dirname, '..', '..', 'deploy', 'k8s');

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  [key: string]: unknown;
}

const objects: { file: string; obj: K8sObject }[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((file) =>
    parseAllDocuments(readFileSync(join(DIR, file), 'utf8')).map((doc) => {
      if (doc.errors.length) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
      return { file, obj: doc.toJSON() as K8sObject };
    }),
  );
const randomKey = () => randomBytes(32).toString('hex');
const byKind = (kind: string, name?: string) =>
  objects.filter((o) => o.obj.kind === kind && (!name || o.obj.metadata.name === name)).map((o) => o.obj);

type Model = new (data: unknown) => { validate(): void };

function modelFor(apiVersion: string, kind: string): Model {
  const path = apiVersion.includes('/') ? apiVersion : `v1`;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(`kubernetes-models/${path}/${kind}`) as Record<string, Model>;
  return mod[kind] ?? (mod.default as unknown as Model);
}

describe('deploy/k8s manifests', () => {
  const kubernetes = objects.filter((o) => !o.obj.apiVersion.startsWith('kustomize.config.k8s.io'));

  it.each(kubernetes.map((o) => [`${o.file}: ${o.obj.kind}/${o.obj.metadata.name}`, o.obj] as const))(
    '%s is valid against the Kubernetes schema',
    (_name, obj) => {
      const Model = modelFor(obj.apiVersion, obj.kind);
      expect(() => new Model(obj).validate()).not.toThrow();
    },
  );

  it('has every object the platform needs', () => {
    const kinds = kubernetes.map((o) => `${o.obj.kind}/${o.obj.metadata.name}`).sort();
    expect(kinds).toEqual(
      expect.arrayContaining([
        'ConfigMap/floyo-config',
        'Deployment/floyo-api',
        'Deployment/floyo-worker',
        'HorizontalPodAutoscaler/floyo-api',
        'Ingress/floyo-api',
        'Job/floyo-migrate',
        'PodDisruptionBudget/floyo-api',
        'Secret/floyo-secrets',
        'Service/floyo-api',
      ]),
    );
    const kustomization = objects.find((o) => o.obj.kind === 'Kustomization')!.obj as unknown as { resources: string[] };
    for (const file of kustomization.resources) expect(readdirSync(DIR)).toContain(file);
  });

  const config = byKind('ConfigMap', 'floyo-config')[0] as unknown as { data: Record<string, string> };
  const secret = byKind('Secret', 'floyo-secrets')[0] as unknown as { stringData: Record<string, string> };
  type Container = {
    command: string[];
    env?: { name: string; value: string }[];
    ports?: { name: string; containerPort: number }[];
    livenessProbe?: { httpGet: { path: string; port: string | number } };
    readinessProbe?: { httpGet: { path: string; port: string | number } };
    startupProbe?: { httpGet: { path: string; port: string | number } };
  };
  const podOf = (name: string) =>
    (
      byKind('Deployment', name)[0] as unknown as {
        spec: { template: { spec: { terminationGracePeriodSeconds: number; containers: Container[] } } };
      }
    ).spec.template.spec;

  it('configures only variables the service knows', () => {
    const known = Object.keys(envSchema.describe().keys ?? {});
    const keys = [...Object.keys(config.data), ...Object.keys(secret.stringData)];
    expect(keys.filter((k) => !known.includes(k))).toEqual([]);
  });

  it('production refuses the example Secret — each of its values as a placeholder — and accepts the rest of the configuration', () => {
    let problems: string[] = [];
    try {
      validateEnv({ ...config.data, ...secret.stringData });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigValidationError);
      problems = (err as ConfigValidationError).problems;
    }
    const filled = Object.keys(secret.stringData).filter((k) => secret.stringData[k] !== '');
    expect(problems.map((p) => p.slice(0, p.indexOf(':'))).sort()).toEqual(filled.sort());
    for (const p of problems) expect(p).toMatch(/placeholder/);

    // the Secret created for real (random keys, real passwords): the whole configuration is valid
    const real = (value: string) => {
      if (value === '') return value;
      if (/^\w+:\/\//.test(value)) {
        const url = new URL(value);
        url.password = randomBytes(16).toString('hex');
        return url.toString();
      }
      return randomBytes(32).toString('hex');
    };
    const created = Object.fromEntries(Object.entries(secret.stringData).map(([k, v]) => [k, real(v)]));
    expect(() => validateEnv({ ...config.data, ...created })).not.toThrow();
  });

  it('probes the real health routes: liveness without dependencies, readiness with them', () => {
    const api = podOf('floyo-api').containers[0];
    expect(api.command).toEqual(['node', '--max-old-space-size=256', 'dist/main.js']);
    expect(api.livenessProbe!.httpGet.path).toBe('/health/liveness');
    expect(api.startupProbe!.httpGet.path).toBe('/health/liveness');
    expect(api.readinessProbe!.httpGet.path).toBe('/health/readiness');
    // liveness on the probe listener's port (LIVENESS_PORT), readiness and startup on the API port
    const portOf = (name: string | number) => api.ports!.find((p) => p.name === name)!.containerPort;
    expect(portOf(api.livenessProbe!.httpGet.port)).toBe(Number(config.data.LIVENESS_PORT));
    expect(portOf(api.readinessProbe!.httpGet.port)).toBe(8000);
    expect(portOf(api.startupProbe!.httpGet.port)).toBe(8000);
    const worker = podOf('floyo-worker').containers[0];
    expect(worker.command).toEqual(['node', 'dist/worker.js']);
    expect(worker.livenessProbe!.httpGet.path).toBe('/health/liveness');
    expect(worker.ports![0].containerPort).toBe(Number(config.data.WORKER_METRICS_PORT));
  });

  it('lets Prometheus scrape each pod on its metrics port, never through the Service or the Ingress', () => {
    const env = validateEnv({ ...config.data, SECRET_KEY: randomKey(), ENCRYPTION_KEY: randomKey() });
    expect(env.METRICS_PUBLIC).toBe(false); // /metrics is not on the API port
    const annotations = (name: string) =>
      (byKind('Deployment', name)[0] as unknown as { spec: { template: { metadata: { annotations: Record<string, string> } } } }).spec
        .template.metadata.annotations;
    const portNamed = (name: string, port: string) => podOf(name).containers[0].ports!.find((p) => p.name === port)!.containerPort;
    expect(annotations('floyo-api')).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/path': '/metrics' });
    expect(Number(annotations('floyo-api')['prometheus.io/port'])).toBe(env.METRICS_PORT);
    expect(portNamed('floyo-api', 'metrics')).toBe(env.METRICS_PORT);
    expect(Number(annotations('floyo-worker')['prometheus.io/port'])).toBe(env.WORKER_METRICS_PORT);
    const service = byKind('Service', 'floyo-api')[0] as unknown as { spec: { ports: { targetPort: string }[] } };
    expect(service.spec.ports.map((p) => p.targetPort)).toEqual(['http']);
  });

  it('runs the API with the same node command as the image and docker-compose', () => {
    const root = join(__dirname, '..', '..');
    const k8s = podOf('floyo-api').containers[0].command;
    const dockerfileCmd = /^CMD (\[.*\])$/m.exec(readFileSync(join(root, 'Dockerfile'), 'utf8'))![1];
    expect(JSON.parse(dockerfileCmd)).toEqual(k8s);
    const compose = parseAllDocuments(readFileSync(join(root, 'docker-compose.yml'), 'utf8'))[0].toJS() as {
      services: Record<string, { command?: string[] }>;
    };
    expect(compose.services.api.command).toEqual(k8s);
  });

  it('is sticky wherever Socket.IO long-polling is allowed: the Service by client IP, the Ingress by cookie', () => {
    expect(config.data.SOCKET_TRANSPORTS.split(',')).toContain('polling');
    const service = byKind('Service', 'floyo-api')[0] as unknown as { spec: { sessionAffinity?: string } };
    expect(service.spec.sessionAffinity).toBe('ClientIP');
    const ingress = byKind('Ingress', 'floyo-api')[0] as unknown as {
      metadata: { annotations: Record<string, string> };
      spec: { rules: { http: { paths: { backend: { service: { name: string; port: { name: string } } } }[] } }[] };
    };
    expect(ingress.metadata.annotations['nginx.ingress.kubernetes.io/affinity']).toBe('cookie');
    expect(ingress.spec.rules[0].http.paths[0].backend.service).toEqual({ name: 'floyo-api', port: { name: 'http' } });
  });

  it('gives each pod a grace period longer than its drain + shutdown budget', () => {
    const api = podOf('floyo-api');
    const apiBudget = Number(config.data.SHUTDOWN_DRAIN_MS) + Number(config.data.SHUTDOWN_GRACE_MS);
    expect(api.terminationGracePeriodSeconds * 1000).toBeGreaterThan(apiBudget);
    const worker = podOf('floyo-worker');
    const workerGrace = Number(worker.containers[0].env!.find((e) => e.name === 'SHUTDOWN_GRACE_MS')!.value);
    expect(worker.terminationGracePeriodSeconds * 1000).toBeGreaterThan(workerGrace);
  });
});
