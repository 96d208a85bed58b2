// A Confluent-compatible Schema Registry: Apicurio Registry 2.4.2.Final with in-memory (H2) storage.
// Confluent's own registry is not on Maven Central and Karapace is not on PyPI, so stack/registry/pom.xml
// turns the published (non-augmented) apicurio-registry-app jar into a runnable Quarkus application
// under <serviceDir>/build. Clients are given registryUrl(port), the Confluent-compatible API.
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { StackContext, StackService } from '../service.js';

const run = promisify(execFile);

/** The Confluent-compatible base URL to give Confluent clients (confluent-kafka SchemaRegistryClient etc.). */
export function registryUrl(port: number): string {
  return `http://localhost:${port}/apis/ccompat/v7`;
}

function paths(ctx: StackContext) {
  const buildDir = join(ctx.serviceDir, 'build');
  const projectDir = join(ctx.root, 'stack', 'registry');
  return {
    buildDir,
    projectDir,
    pom: join(projectDir, 'pom.xml'),
    runner: join(buildDir, 'apicurio-registry-runner.jar'),
    /** Hash of the build inputs the runner was made from: a changed pom rebuilds. */
    stamp: join(buildDir, 'k2p-build-inputs.sha256'),
  };
}

async function inputsHash(ctx: StackContext): Promise<string> {
  const p = paths(ctx);
  const hash = createHash('sha256');
  for (const file of [
    p.pom,
    join(p.projectDir, 'src/main/java/k2p/stack/registry/DynamicConfigPropertyListProducer.java'),
  ]) {
    hash.update(await readFile(file));
  }
  return hash.digest('hex');
}

async function build(ctx: StackContext): Promise<void> {
  const p = paths(ctx);
  const args = [
    '-q',
    '-B',
    '-f',
    p.pom,
    'package',
    // Switches off a profile of the upstream parent pom that adds repositories other than Maven Central.
    '-DskipDefault=true',
    `-Dregistry.buildDir=${p.buildDir}`,
  ];
  try {
    await run('mvn', args, { maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message?: string };
    const output = `${e.stdout ?? ''}${e.stderr ?? ''}`.trim() || (e.message ?? '');
    const tail = output.split('\n').slice(-20).join('\n');
    throw new Error(`maven could not build the schema registry (mvn ${args.join(' ')}):\n${tail}`);
  }
  if (!existsSync(p.runner)) throw new Error(`maven finished but ${p.runner} is missing`);
}

// Fields of the probe schema; the record name carries a random part so each probe registers new content.
function probeSchema(tag: string): string {
  return JSON.stringify({
    type: 'record',
    name: `Probe_${tag}`,
    namespace: 'k2p.stack',
    fields: [
      { name: 'id', type: 'long' },
      { name: 'note', type: ['null', 'string'], default: null },
    ],
  });
}

const JSON_TYPE = 'application/vnd.schemaregistry.v1+json';

async function call(url: string, init: RequestInit = {}): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, {
      ...init,
      headers: { Accept: JSON_TYPE, 'Content-Type': JSON_TYPE },
      signal: AbortSignal.timeout(5000),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (err as Error).message;
    throw new Error(`schema registry not reachable (${init.method ?? 'GET'} ${url}): ${why}`);
  }
  const text = await res.text();
  if (!res.ok) {
    throw new Error(
      `schema registry answered ${res.status} to ${init.method ?? 'GET'} ${url}: ${text.slice(0, 300)}`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(
      `schema registry answered non-JSON to ${init.method ?? 'GET'} ${url}: ${text.slice(0, 300)}`,
    );
  }
}

export const registry: StackService = {
  name: 'registry',
  // Quarkus starts in about 3 s when the machine is idle; leave room for a busy one.
  startTimeoutSeconds: 90,
  port: (options) => options.registryPort,

  async install(ctx) {
    const p = paths(ctx);
    const want = await inputsHash(ctx);
    if (existsSync(p.runner) && existsSync(p.stamp) && (await readFile(p.stamp, 'utf8')).trim() === want)
      return;
    ctx.log('building Apicurio Registry with Maven (about a minute the first time)');
    await build(ctx);
    await writeFile(p.stamp, `${want}\n`);
  },

  async launch(ctx) {
    const p = paths(ctx);
    return {
      command: 'java',
      args: [
        '-Xms64m',
        '-Xmx512m',
        '-XX:+UseSerialGC',
        '-Dquarkus.http.host=127.0.0.1',
        `-Dquarkus.http.port=${ctx.options.registryPort}`,
        '-jar',
        p.runner,
      ],
      cwd: ctx.serviceDir,
    };
  },

  async probe(ctx) {
    // 127.0.0.1, where the server binds, rather than localhost (which may resolve to ::1 first).
    const base = `http://127.0.0.1:${ctx.options.registryPort}/apis/ccompat/v7`;
    const tag = randomUUID().replace(/-/g, '').slice(0, 12);
    const subject = `k2p-probe-${tag}-value`;
    const schema = probeSchema(tag);
    const registered = (await call(`${base}/subjects/${subject}/versions`, {
      method: 'POST',
      body: JSON.stringify({ schema }),
    })) as { id?: unknown };
    if (typeof registered.id !== 'number') {
      throw new Error(`schema registry gave no numeric id for ${subject}: ${JSON.stringify(registered)}`);
    }
    const fetched = (await call(`${base}/schemas/ids/${registered.id}`)) as { schema?: unknown };
    if (typeof fetched.schema !== 'string') {
      throw new Error(
        `schema registry returned no schema for id ${registered.id}: ${JSON.stringify(fetched)}`,
      );
    }
    const same = JSON.stringify(JSON.parse(fetched.schema)) === schema;
    if (!same) {
      throw new Error(`schema registry returned another schema for id ${registered.id}: ${fetched.schema}`);
    }
    // Leave no probe subjects behind for tests that list subjects (Apicurio deletes at once; a
    // Confluent registry needs the soft delete before the permanent one).
    await call(`${base}/subjects/${subject}`, { method: 'DELETE' });
    await call(`${base}/subjects/${subject}?permanent=true`, { method: 'DELETE' }).catch(() => undefined);
  },
};
