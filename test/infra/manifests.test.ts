/**
 * The deployment files under infra/ (compose.yaml, k8s/), checked without a cluster or a
 * Docker engine: every YAML document parses; every Kubernetes object is well-formed; the
 * Deployment, Service, PodDisruptionBudget and ConfigMap agree with one another; no secret
 * value is written down; every environment variable the service is given is one the
 * configuration (src/core/config.ts) reads; compose runs two replicas with health checks.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const INFRA = join(ROOT, 'infra');
const K8S = join(INFRA, 'k8s');
const COMPOSE = join(INFRA, 'compose.yaml');
const COMPOSE_ENV_EXAMPLE = join(INFRA, 'compose.env.example');
const COMMAND = ['node', 'bin/edibridge.js', 'serve'];
const SHUTDOWN_SECONDS_DEFAULT = 30;

/**
 * Every variable the manifests give the service. The test fails when the manifests use a
 * name missing here (add it here, and to src/core/config.ts), or when a name here is neither
 * read by the configuration nor an AWS SDK variable.
 */
const ENV_NAMES = [
  'DATABASE_URL',
  'DATABASE_POOL_MAX',
  'EDIBRIDGE_PHI_KEY',
  'EDIBRIDGE_MIGRATE',
  'EDIBRIDGE_LOG_LEVEL',
  'EDIBRIDGE_ACK_DIR',
  'EDIBRIDGE_HTTP_PORT',
  'EDIBRIDGE_SHUTDOWN_SECONDS',
  'EDIBRIDGE_PARTNERS_FILE',
  'EDIBRIDGE_STORE',
  'EDIBRIDGE_S3_BUCKET',
  'EDIBRIDGE_S3_ENDPOINT',
  'EDIBRIDGE_S3_REGION',
  'EDIBRIDGE_S3_FORCE_PATH_STYLE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
] as const;

/** Variables whose values are secrets: only ever by reference (Secret, env file). */
const SECRET_ENV = ['EDIBRIDGE_PHI_KEY', 'DATABASE_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];
/** What a secret may be written as in the repository: a placeholder. */
const PLACEHOLDER = /^(REPLACE_ME\b|#)/;

// ---------------------------------------------------------------------------------------
// Reading

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown, what: string): Obj => {
  if (!isObj(v)) throw new Error(`${what}: expected a mapping`);
  return v;
};
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const get = (v: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>((at, k) => (typeof k === 'number' ? arr(at)[k] : isObj(at) ? at[k] : undefined), v);

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    // infra/local/ holds one machine's git-ignored settings, not the repository's.
    if (name === 'node_modules' || (dir === INFRA && name === 'local')) return [];
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}

const rel = (file: string): string => relative(ROOT, file).split(sep).join('/');
const yamlFiles = walk(INFRA).filter((f) => /\.ya?ml$/.test(f)).sort();
const inK8s = (file: string): boolean => file.startsWith(K8S + sep);

interface Parsed {
  file: string;
  index: number;
  errors: string[];
  value: unknown;
}

// kubectl reads YAML 1.1 (sigs.k8s.io/yaml); compose reads YAML 1.2.
const parsed: Parsed[] = yamlFiles.flatMap((file) => {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'), inK8s(file) ? { version: '1.1' } : {});
  const list = Array.isArray(docs) ? docs : [];
  return list.map((doc, index) => ({
    file: rel(file),
    index,
    errors: [...doc.errors, ...doc.warnings].map((e) => e.message),
    value: doc.errors.length === 0 ? doc.toJS() : undefined,
  }));
});

const k8sObjects = parsed.filter((d) => d.file.startsWith('infra/k8s/') && d.value != null);
const ofKind = (kind: string): { file: string; value: Obj }[] =>
  k8sObjects.filter((d) => get(d.value, 'kind') === kind).map((d) => ({ file: d.file, value: obj(d.value, d.file) }));
const named = (kind: string, name: string): Obj | undefined => ofKind(kind).find((d) => get(d.value, 'metadata', 'name') === name)?.value;

/** Kubernetes quantities as numbers: memory in bytes, CPU in cores. */
function quantity(v: unknown): number {
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(String(v));
  if (!m) throw new Error(`not a quantity: ${String(v)}`);
  const units: Record<string, number> = { '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
  const unit = units[m[2] ?? ''];
  if (unit === undefined) throw new Error(`unknown unit in ${String(v)}`);
  return Number(m[1]) * unit;
}

/** Text the configuration is written in: src/core/config.ts, and config/ should it become a folder. */
function configSource(): string {
  const core = join(ROOT, 'src', 'core');
  const files = readdirSync(core)
    .filter((n) => /^config.*\.ts$/.test(n))
    .map((n) => join(core, n));
  const dir = join(core, 'config');
  if (existsSync(dir) && statSync(dir).isDirectory()) files.push(...walk(dir).filter((f) => f.endsWith('.ts')));
  return files.map((f) => readFileSync(f, 'utf8')).join('\n');
}

// ---------------------------------------------------------------------------------------
// The service as the manifests describe it

const deployment = named('Deployment', 'edibridge');
const podSpec = get(deployment, 'spec', 'template', 'spec');
const podLabels = obj(get(deployment, 'spec', 'template', 'metadata', 'labels') ?? {}, 'pod labels');
const container = arr(get(podSpec, 'containers')).find((c) => get(c, 'name') === 'edibridge');
const containerPorts = arr(get(container, 'ports'));

/** A probe's or Service's port (a number or a container port's name) as the container port number. */
function containerPort(port: unknown): number | undefined {
  if (typeof port === 'number') return containerPorts.some((p) => get(p, 'containerPort') === port) ? port : undefined;
  const hit = containerPorts.find((p) => get(p, 'name') === port);
  const n = get(hit, 'containerPort');
  return typeof n === 'number' ? n : undefined;
}

/** ConfigMaps the container reads with envFrom. */
const envFromConfigMaps = arr(get(container, 'envFrom'))
  .map((e) => get(e, 'configMapRef', 'name'))
  .filter((n): n is string => typeof n === 'string');
const configData = (name: string): Obj => obj(get(named('ConfigMap', name), 'data') ?? {}, `ConfigMap ${name} data`);
const k8sEnv: Obj = Object.assign({}, ...envFromConfigMaps.map(configData)) as Obj;

function k8sEnvNames(): string[] {
  const direct = arr(get(container, 'env')).map((e) => String(get(e, 'name')));
  return [...direct, ...Object.keys(k8sEnv)];
}

const composeDoc = parsed.find((d) => d.file === 'infra/compose.yaml')?.value;
const composeServices = obj(get(composeDoc, 'services') ?? {}, 'compose services');
const runsEdibridge = (s: unknown): boolean =>
  JSON.stringify(get(s, 'command')) === JSON.stringify(COMMAND) || String(get(s, 'image') ?? '').startsWith('edibridge');
const composeEdibridge = Object.entries(composeServices).filter(([, s]) => runsEdibridge(s));

/** A compose `environment` (mapping or KEY=value list) as a mapping. */
function composeEnvironment(s: unknown): Obj {
  const env = get(s, 'environment');
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((line) => {
      const text = String(line);
      const at = text.indexOf('=');
      return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
    }));
  }
  return isObj(env) ? env : {};
}

/** KEY=value lines of an env file (comments and blank lines skipped). */
function envFile(path: string): Map<string, string> {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
  return new Map(lines.map((l) => {
    const at = l.indexOf('=');
    return [l.slice(0, at).trim(), l.slice(at + 1).trim()] as const;
  }));
}

function composeEnvNames(): string[] {
  const names = composeEdibridge.flatMap(([, s]) => Object.keys(composeEnvironment(s)));
  if (existsSync(COMPOSE_ENV_EXAMPLE)) names.push(...envFile(COMPOSE_ENV_EXAMPLE).keys());
  return names;
}

// ---------------------------------------------------------------------------------------

describe('infra YAML', () => {
  it('finds the compose file and the Kubernetes manifests', () => {
    expect(yamlFiles.map(rel)).toContain('infra/compose.yaml');
    expect(k8sObjects.length).toBeGreaterThan(0);
  });

  it('parses every document of every YAML file under infra/', () => {
    const bad = parsed.filter((d) => d.errors.length > 0).map((d) => `${d.file}#${d.index}: ${d.errors.join('; ')}`);
    expect(bad).toEqual([]);
  });

  it('gives every Kubernetes object an apiVersion, a kind and a name', () => {
    for (const d of k8sObjects) {
      const where = `${d.file}#${d.index}`;
      expect(get(d.value, 'apiVersion'), where).toEqual(expect.any(String));
      expect(get(d.value, 'kind'), where).toEqual(expect.any(String));
      // A kustomization is a build file, not an object in the cluster: it has no name.
      if (get(d.value, 'kind') !== 'Kustomization') expect(get(d.value, 'metadata', 'name'), where).toEqual(expect.any(String));
    }
  });

  it('lists in each kustomization only files that exist', () => {
    for (const k of ofKind('Kustomization')) {
      const dir = join(ROOT, k.file, '..');
      for (const r of arr(get(k.value, 'resources'))) expect(existsSync(join(dir, String(r))), `${k.file}: ${String(r)}`).toBe(true);
    }
  });

  it('writes ConfigMap data and annotations as strings, as Kubernetes requires', () => {
    for (const d of k8sObjects) {
      const maps = [get(d.value, 'data'), get(d.value, 'metadata', 'annotations'), get(d.value, 'spec', 'template', 'metadata', 'annotations')];
      if (get(d.value, 'kind') !== 'ConfigMap') maps.shift();
      for (const m of maps) {
        if (!isObj(m)) continue;
        for (const [k, v] of Object.entries(m)) expect(typeof v, `${d.file}: ${k}`).toBe('string');
      }
    }
  });
});

describe('the Kubernetes Deployment', () => {
  it('runs two replicas of `node bin/edibridge.js serve` from a versioned image', () => {
    expect(deployment, 'Deployment edibridge').toBeDefined();
    expect(get(deployment, 'spec', 'replicas')).toBe(2);
    expect(container, 'container edibridge').toBeDefined();
    expect(get(container, 'command')).toEqual(COMMAND);
    const image = String(get(container, 'image'));
    expect(image).toMatch(/^[^:]+:[\w.-]+$/);
    expect(image).not.toMatch(/:latest$/);
  });

  it('selects its own pods', () => {
    const selector = obj(get(deployment, 'spec', 'selector', 'matchLabels'), 'selector');
    expect(podLabels).toMatchObject(selector);
  });

  it('probes readiness on /readyz and liveness on /healthz, on the container port', () => {
    expect(get(container, 'readinessProbe', 'httpGet', 'path')).toBe('/readyz');
    expect(get(container, 'livenessProbe', 'httpGet', 'path')).toBe('/healthz');
    const port = containerPort(get(container, 'readinessProbe', 'httpGet', 'port'));
    expect(port).toBeDefined();
    expect(containerPort(get(container, 'livenessProbe', 'httpGet', 'port'))).toBe(port);
    const startup = get(container, 'startupProbe', 'httpGet');
    if (startup !== undefined) expect(containerPort(get(startup, 'port'))).toBe(port);
    // The port the service listens on is the one probed.
    expect(String(k8sEnv.EDIBRIDGE_HTTP_PORT ?? 8080)).toBe(String(port));
  });

  it('has a Service whose targetPort is the container port and whose selector is the pods\'', () => {
    const services = ofKind('Service').filter((s) => get(s.value, 'metadata', 'name') === 'edibridge');
    expect(services).toHaveLength(1);
    const service = services[0]!.value;
    expect(podLabels).toMatchObject(obj(get(service, 'spec', 'selector'), 'service selector'));
    const ports = arr(get(service, 'spec', 'ports'));
    expect(ports.length).toBeGreaterThan(0);
    const probed = containerPort(get(container, 'readinessProbe', 'httpGet', 'port'));
    for (const p of ports) expect(containerPort(get(p, 'targetPort') ?? get(p, 'port'))).toBe(probed);
  });

  it('sets CPU and memory requests and limits with room for a million-member file', () => {
    const r = get(container, 'resources');
    for (const kind of ['requests', 'limits']) {
      for (const res of ['cpu', 'memory']) expect(get(r, kind, res), `${kind}.${res}`).toBeDefined();
    }
    // About 300 MB peak RSS for 1,000,000 members (README): request and limit above it.
    expect(quantity(get(r, 'requests', 'memory'))).toBeGreaterThanOrEqual(512 * 2 ** 20);
    expect(quantity(get(r, 'limits', 'memory'))).toBeGreaterThanOrEqual(quantity(get(r, 'requests', 'memory')));
    expect(quantity(get(r, 'limits', 'cpu'))).toBeGreaterThanOrEqual(quantity(get(r, 'requests', 'cpu')));
  });

  it('gives a stopping pod longer than EDIBRIDGE_SHUTDOWN_SECONDS', () => {
    const grace = get(podSpec, 'terminationGracePeriodSeconds');
    const shutdown = Number(k8sEnv.EDIBRIDGE_SHUTDOWN_SECONDS ?? SHUTDOWN_SECONDS_DEFAULT);
    expect(grace).toEqual(expect.any(Number));
    expect(grace as number).toBeGreaterThan(Math.max(30, shutdown));
  });

  it('runs as non-root on a read-only root filesystem with no capabilities, /tmp an emptyDir', () => {
    const pod = get(podSpec, 'securityContext');
    const c = get(container, 'securityContext');
    expect(get(c, 'runAsNonRoot') ?? get(pod, 'runAsNonRoot')).toBe(true);
    const uid = get(c, 'runAsUser') ?? get(pod, 'runAsUser');
    if (uid !== undefined) expect(uid).not.toBe(0);
    expect(get(c, 'readOnlyRootFilesystem')).toBe(true);
    expect(get(c, 'allowPrivilegeEscalation')).toBe(false);
    expect(arr(get(c, 'capabilities', 'drop'))).toContain('ALL');
    expect(arr(get(c, 'capabilities', 'add'))).toEqual([]);
    const tmp = arr(get(container, 'volumeMounts')).find((m) => get(m, 'mountPath') === '/tmp');
    expect(tmp, '/tmp mount').toBeDefined();
    const volume = arr(get(podSpec, 'volumes')).find((v) => get(v, 'name') === get(tmp, 'name'));
    expect(get(volume, 'emptyDir')).toBeDefined();
  });

  it('is covered by a PodDisruptionBudget keeping one replica', () => {
    const pdbs = ofKind('PodDisruptionBudget').filter((p) => {
      const sel = get(p.value, 'spec', 'selector', 'matchLabels');
      return isObj(sel) && Object.entries(sel).every(([k, v]) => podLabels[k] === v);
    });
    expect(pdbs).toHaveLength(1);
    expect(get(pdbs[0]!.value, 'spec', 'minAvailable')).toBe(1);
  });

  it('reads settings from a ConfigMap in the manifests and secrets only by reference', () => {
    expect(envFromConfigMaps.length).toBeGreaterThan(0);
    for (const name of envFromConfigMaps) expect(named('ConfigMap', name), `ConfigMap ${name}`).toBeDefined();
    for (const e of arr(get(container, 'env'))) {
      const name = String(get(e, 'name'));
      if (SECRET_ENV.includes(name)) {
        expect(get(e, 'value'), name).toBeUndefined();
        expect(get(e, 'valueFrom', 'secretKeyRef', 'name'), name).toEqual(expect.any(String));
      }
    }
    for (const name of SECRET_ENV) expect(Object.keys(k8sEnv), `${name} in a ConfigMap`).not.toContain(name);
    expect(k8sEnvNames()).toEqual(expect.arrayContaining(['EDIBRIDGE_PHI_KEY', 'DATABASE_URL']));
    expect(k8sEnv.EDIBRIDGE_STORE).toBe('s3');
  });

  it('documents in secrets.example.yaml every Secret key it references', () => {
    const secrets = ofKind('Secret');
    const keysOf = (name: string): string[] => {
      const s = secrets.find((x) => get(x.value, 'metadata', 'name') === name)?.value;
      return [...Object.keys(obj(get(s, 'stringData') ?? {}, 'stringData')), ...Object.keys(obj(get(s, 'data') ?? {}, 'data'))];
    };
    for (const e of arr(get(container, 'env'))) {
      const ref = get(e, 'valueFrom', 'secretKeyRef');
      if (ref !== undefined) expect(keysOf(String(get(ref, 'name'))), `${String(get(e, 'name'))}`).toContain(get(ref, 'key'));
    }
    for (const v of arr(get(podSpec, 'volumes'))) {
      const secretName = get(v, 'secret', 'secretName');
      if (secretName !== undefined) expect(secrets.map((s) => get(s.value, 'metadata', 'name'))).toContain(secretName);
      const mode = get(v, 'secret', 'defaultMode');
      // YAML 1.1 reads 0440 as octal, 1.2 as decimal: a mode must be a plain number ≤ 0o777.
      if (mode !== undefined) expect(mode as number).toBeLessThanOrEqual(0o777);
    }
  });

  it('mounts the partners file where EDIBRIDGE_PARTNERS_FILE points', () => {
    const file = String(k8sEnv.EDIBRIDGE_PARTNERS_FILE);
    const mounts = arr(get(container, 'volumeMounts')).map((m) => String(get(m, 'mountPath')));
    expect(mounts.some((m) => file.startsWith(m.endsWith('/') ? m : `${m}/`))).toBe(true);
  });
});

describe('secrets', () => {
  it('keeps no secret value in any Secret manifest: placeholders only', () => {
    for (const s of ofKind('Secret')) {
      for (const [k, v] of Object.entries(obj(get(s.value, 'stringData') ?? {}, 'stringData'))) {
        expect(String(v).trim(), `${s.file} ${k}`).toMatch(PLACEHOLDER);
      }
      for (const [k, v] of Object.entries(obj(get(s.value, 'data') ?? {}, 'data'))) {
        expect(Buffer.from(String(v), 'base64').toString('utf8').trim(), `${s.file} ${k}`).toMatch(PLACEHOLDER);
      }
    }
  });

  it('writes no password in a database URL and no key-like hex anywhere under infra/', () => {
    const texts = walk(INFRA).filter((f) => /\.(ya?ml|example|env|md)$/.test(f) || f.endsWith('Dockerfile'));
    for (const f of texts) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/postgres(?:ql)?:\/\/[^:/@\s]+:([^@\s]+)@/g)) {
        expect(m[1], `${rel(f)}: ${m[0]}`).toMatch(/^(REPLACE_ME|PASSWORD|\$\{?\w+\}?|\$\(.*\)|\*+)$/);
      }
      expect(text, rel(f)).not.toMatch(/\b[0-9a-fA-F]{64}\b/);
    }
  });

  it('keeps the compose secrets out of compose.yaml and in git-ignored files', () => {
    for (const [name, s] of composeEdibridge) {
      for (const k of SECRET_ENV) expect(Object.keys(composeEnvironment(s)), `${name}: ${k}`).not.toContain(k);
    }
    for (const [name, s] of Object.entries(composeServices)) {
      const env = composeEnvironment(s);
      for (const k of Object.keys(env)) expect(k, `${name}: ${k} as a literal`).not.toMatch(/PASSWORD$|SECRET|_KEY$/);
    }
    const example = envFile(COMPOSE_ENV_EXAMPLE);
    for (const k of SECRET_ENV) expect(example.get(k), `compose.env.example ${k}`).toMatch(/REPLACE_ME/);
    // What compose reads secrets from lives under infra/local/, which git ignores.
    const sources = [
      ...composeEdibridge.flatMap(([, s]) => arr(get(s, 'env_file')).map((e) => String(isObj(e) ? e.path : e))),
      ...Object.values(obj(get(composeDoc, 'secrets') ?? {}, 'secrets')).map((s) => String(get(s, 'file'))),
    ];
    expect(sources.length).toBeGreaterThan(0);
    for (const src of sources) expect(src, src).toMatch(/^\.\/local\//);
    expect(readFileSync(join(INFRA, '.gitignore'), 'utf8')).toMatch(/^\/local\/$/m);
  });
});

describe('environment variable names', () => {
  it('uses only the names listed in this test', () => {
    const used = [...new Set([...k8sEnvNames(), ...composeEnvNames()])].sort();
    expect(used.filter((n) => !(ENV_NAMES as readonly string[]).includes(n))).toEqual([]);
    expect([...ENV_NAMES].filter((n) => !used.includes(n))).toEqual([]);
  });

  it('uses only names the configuration reads (src/core/config.ts) or the AWS SDK reads', () => {
    const source = configSource();
    const unknown = ENV_NAMES.filter((n) => !n.startsWith('AWS_') && !new RegExp(`\\b${n}\\b`).test(source));
    expect(unknown, 'settings the manifests set but src/core/config.ts does not read').toEqual([]);
  });
});

describe('compose', () => {
  it('runs two replicas of the service', () => {
    const replicas = composeEdibridge.reduce((n, [, s]) => n + Number(get(s, 'deploy', 'replicas') ?? 1), 0);
    expect(replicas).toBe(2);
    for (const [name, s] of composeEdibridge) {
      expect(get(s, 'command'), name).toEqual(COMMAND);
      // Two replicas cannot share a fixed host port or a container name.
      expect(get(s, 'container_name'), name).toBeUndefined();
      for (const p of arr(get(s, 'ports'))) expect(String(p), name).toMatch(/^\d+$/);
    }
  });

  it('health-checks the service on /healthz and /readyz', () => {
    for (const [name, s] of composeEdibridge) {
      const test = JSON.stringify(get(s, 'healthcheck', 'test'));
      expect(test, name).toContain('/healthz');
      expect(test, name).toContain('/readyz');
    }
  });

  it('runs PostgreSQL 15 and an S3-compatible store, health-checked, before the service', () => {
    const byImage = (re: RegExp): [string, unknown] | undefined => Object.entries(composeServices).find(([, s]) => re.test(String(get(s, 'image'))));
    const pg = byImage(/^postgres:15/);
    const s3 = byImage(/minio/);
    expect(pg, 'postgres:15').toBeDefined();
    expect(s3, 'minio').toBeDefined();
    expect(get(pg![1], 'healthcheck', 'test')).toBeDefined();
    expect(get(s3![1], 'healthcheck', 'test')).toBeDefined();
    for (const [name, s] of composeEdibridge) {
      expect(get(s, 'depends_on', pg![0], 'condition'), name).toBe('service_healthy');
    }
  });

  it('stops the service gracefully, mounts its partners file and keys, and points it at the S3 store', () => {
    for (const [name, s] of composeEdibridge) {
      const env = composeEnvironment(s);
      const grace = /^(\d+)s$/.exec(String(get(s, 'stop_grace_period')));
      expect(Number(grace?.[1]), name).toBeGreaterThan(Number(env.EDIBRIDGE_SHUTDOWN_SECONDS ?? SHUTDOWN_SECONDS_DEFAULT));
      const targets = arr(get(s, 'volumes')).map((v) => String(isObj(v) ? v.target : String(v).split(':')[1]));
      expect(targets.some((t) => String(env.EDIBRIDGE_PARTNERS_FILE).startsWith(`${t}/`)), name).toBe(true);
      expect(targets.some((t) => /key/.test(t)), name).toBe(true);
      expect(env.EDIBRIDGE_STORE).toBe('s3');
      expect(env.EDIBRIDGE_S3_ENDPOINT).toMatch(/^http:\/\//);
    }
  });
});

describe('the Dockerfile', () => {
  const path = join(ROOT, 'Dockerfile');
  it.runIf(existsSync(path))('builds on node:20-slim with npm ci and runs the service as a non-root user', () => {
    const text = readFileSync(path, 'utf8');
    expect(text).toMatch(/^FROM node:20-slim\b/m);
    expect(text).toMatch(/npm ci\b/);
    expect(text).toMatch(/npm prune --omit=dev/);
    const users = [...text.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    const cmd = /^CMD\s+(\[.*\])\s*$/m.exec(text);
    expect(JSON.parse(cmd?.[1] ?? 'null')).toEqual(COMMAND);
  });
});
