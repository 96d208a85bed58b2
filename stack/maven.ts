// Resolves a Java service's jars through Maven into the normal local cache (~/.m2), so a second start
// downloads nothing, and writes a java argument file holding the classpath (hundreds of jars for Pulsar).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface MavenArtifact {
  groupId: string;
  artifactId: string;
  version: string;
}

function dependency(a: MavenArtifact): string {
  return `    <dependency>
      <groupId>${a.groupId}</groupId>
      <artifactId>${a.artifactId}</artifactId>
      <version>${a.version}</version>
    </dependency>`;
}

function pomFor(artifact: MavenArtifact, extras: MavenArtifact[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by stack/maven.ts: resolves ${artifact.artifactId} ${artifact.version} and its dependencies. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>k2p.stack</groupId>
  <artifactId>${artifact.artifactId}-classpath</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
${[artifact, ...extras].map(dependency).join('\n')}
  </dependencies>
</project>
`;
}

/**
 * Returns the path of a java @argfile (`-cp <jars>`) for the artifact (plus `extras`, e.g. a log binding the
 * server's own distribution would ship) and their transitive dependencies,
 * resolving them with Maven only when the argfile for this exact version does not exist yet.
 */
/** Resolutions in progress in this process: two services needing the same classpath share one Maven run. */
const resolving = new Map<string, Promise<string>>();

export function classpathArgFile(dir: string, artifact: MavenArtifact, extras: MavenArtifact[] = []): Promise<string> {
  const tag = `${artifact.artifactId}-${artifact.version}${extras.map((e) => `+${e.artifactId}`).join('')}`;
  const argFile = join(dir, `${tag}.classpath.args`);
  let pending = resolving.get(argFile);
  if (!pending) {
    pending = resolveClasspath(dir, artifact, extras, tag, argFile);
    resolving.set(argFile, pending);
    pending.catch(() => resolving.delete(argFile));
  }
  return pending;
}

async function resolveClasspath(dir: string, artifact: MavenArtifact, extras: MavenArtifact[], tag: string, argFile: string): Promise<string> {
  if (existsSync(argFile)) return argFile;
  await mkdir(dir, { recursive: true });
  const pom = join(dir, `${tag}.pom.xml`);
  const listFile = join(dir, `${tag}.classpath.txt`);
  await writeFile(pom, pomFor(artifact, extras));
  try {
    await run('mvn', ['-q', '-B', '-f', pom, 'dependency:build-classpath', `-Dmdep.outputFile=${listFile}`], {
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    const output = `${e.stdout ?? ''}${e.stderr ?? ''}`.split('\n').slice(-15).join('\n');
    throw new Error(`maven could not resolve ${artifact.groupId}:${tag}:\n${output}`);
  }
  const classpath = (await readFile(listFile, 'utf8')).trim();
  // Quote the classpath: an argfile splits on whitespace otherwise.
  await writeFile(argFile, `-cp "${classpath}"\n`);
  return argFile;
}
