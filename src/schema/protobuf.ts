// Protobuf (registry) → Pulsar PROTOBUF_NATIVE. Pulsar stores a ProtobufNativeSchemaData JSON:
//   { "fileDescriptorSet": base64(FileDescriptorSet), "rootMessageTypeName": "pkg.Msg", "rootFileDescriptorName": "x.proto" }
// (the form of the Java client's ProtobufNativeSchemaUtils.serialize, and of the Python client's
// ProtobufNativeSchema). The set holds one FileDescriptorProto per file: the registered schema and each of its
// references (named by their import path), with their dependencies, so the broker can build them.
// A registered schema is .proto text or, as Confluent's Python serializer registers it, a base64
// FileDescriptorProto; both are accepted. The record's message indexes pick the root message. The body is
// Protobuf binary already and is not touched.
import protobuf from 'protobufjs';
import descriptorModule from 'protobufjs/ext/descriptor.js';
import type * as D from 'protobufjs/ext/descriptor.js';
import { K2pError } from '../errors.js';
import type { PulsarSchemaInfo } from './pulsar-schema.js';
import type { ResolvedSchema } from './registry-client.js';

type FileProto = D.IFileDescriptorProto;
type MessageProto = D.IDescriptorProto;
const descriptor = descriptorModule as unknown as typeof D;

const MAIN_FILE = 'main.proto';

function translateError(message: string, details: Record<string, unknown> = {}): K2pError {
  return new K2pError('K2P_SCH_TRANSLATE', message, details);
}

/** A base64 FileDescriptorProto, or undefined when the text is .proto source. */
function asDescriptor(text: string): FileProto | undefined {
  const t = text.trim();
  if (!/^[A-Za-z0-9+/=\s]+$/.test(t) || /\bsyntax\b|\bmessage\s/.test(t)) return undefined;
  try {
    const file = descriptor.FileDescriptorProto.decode(Buffer.from(t, 'base64'));
    return descriptor.FileDescriptorProto.toObject(file, { defaults: false, arrays: true }) as FileProto;
  } catch {
    return undefined;
  }
}

const parseState = protobuf.parse as unknown as { filename: string | null };

/** FileDescriptorProtos of the schema and its references, dependencies first; the main file last. */
export function fileDescriptors(schema: Pick<ResolvedSchema, 'schema' | 'resolved' | 'id'>): FileProto[] {
  const sources = [...schema.resolved.map((r) => ({ name: r.name, text: r.schema.schema })), { name: MAIN_FILE, text: schema.schema }];
  const root = new protobuf.Root();
  const parsed: { name: string; pkg?: string; imports: string[]; syntax: string; file?: FileProto }[] = [];
  for (const s of sources) {
    const file = asDescriptor(s.text);
    if (file) {
      // Loaded into the root too, so .proto files that import it resolve its types.
      const named = { ...file, name: s.name === MAIN_FILE ? (file.name ?? MAIN_FILE) : s.name };
      const sub = (protobuf.Root as unknown as { fromDescriptor(d: unknown): protobuf.Root }).fromDescriptor({ file: [named] });
      root.addJSON((sub.toJSON() as { nested?: Record<string, protobuf.AnyNestedObject> }).nested ?? {});
      parsed.push({ name: named.name!, imports: named.dependency ?? [], syntax: named.syntax ?? 'proto2', file: named });
      continue;
    }
    try {
      parseState.filename = s.name;
      const r = protobuf.parse(s.text, root, { keepCase: true, alternateCommentMode: true });
      const syntax = /^\s*syntax\s*=\s*["']proto3["']/m.test(s.text) ? 'proto3' : 'proto2';
      parsed.push({ name: s.name, pkg: r.package, imports: [...(r.imports ?? []), ...(r.weakImports ?? [])], syntax });
    } catch (err) {
      throw translateError(`${s.name === MAIN_FILE ? `schema id ${schema.id}` : `referenced schema ${s.name}`} is not a valid .proto: ${(err as Error).message}`, { schemaId: schema.id, file: s.name });
    }
  }
  try {
    root.resolveAll();
  } catch (err) {
    throw translateError(`schema id ${schema.id}: ${(err as Error).message} (a missing reference?)`, { schemaId: schema.id });
  }
  const known = new Set(parsed.map((p) => p.name));
  return parsed.map((p) => {
    if (p.file) return p.file;
    for (const dep of p.imports) {
      if (!known.has(dep)) throw translateError(`${p.name === MAIN_FILE ? `schema id ${schema.id}` : p.name} imports "${dep}", which is not among its registry references`, { schemaId: schema.id, import: dep });
    }
    const file: FileProto = { name: p.name, dependency: p.imports, messageType: [], enumType: [], syntax: p.syntax };
    if (p.pkg) file.package = p.pkg;
    const pkgNs = p.pkg ? root.lookup(p.pkg) : root;
    if (!(pkgNs instanceof protobuf.Namespace)) throw translateError(`package ${p.pkg} not found after parsing ${p.name}`);
    for (const nested of pkgNs.nestedArray) {
      if ((nested as { filename?: string }).filename !== p.name) continue;
      if (nested instanceof protobuf.Type) file.messageType!.push(protocMapEntries((nested as unknown as { toDescriptor(e: string): MessageProto }).toDescriptor(p.syntax)));
      else if (nested instanceof protobuf.Enum) file.enumType!.push((nested as unknown as { toDescriptor(): D.IEnumDescriptorProto }).toDescriptor());
    }
    return file;
  });
}

/**
 * protobufjs names a map field's entry type after the field ("Labels") and lists it before the declared nested
 * messages; protoc (and the descriptor pools of the official clients, which check it) names it "LabelsEntry".
 * Entries are renamed and moved after the declared nested messages, so message indexes count declared
 * messages as written.
 */
function protocMapEntries(message: MessageProto): MessageProto {
  const nested = message.nestedType ?? [];
  const entries = nested.filter((n) => n.options?.mapEntry);
  const declared = nested.filter((n) => !n.options?.mapEntry).map(protocMapEntries);
  for (const entry of entries) {
    const field = (message.field ?? []).find((f) => f.typeName === entry.name);
    const camel = (field?.name ?? entry.name!).replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
    const name = `${camel[0]!.toUpperCase()}${camel.slice(1)}Entry`;
    if (field) field.typeName = name;
    entry.name = name;
  }
  message.nestedType = [...declared, ...entries];
  return message;
}

/** The full name of the message the indexes point at in the main file ([0] = its first message). */
export function messageName(file: FileProto, indexes: readonly number[]): string {
  let list = file.messageType ?? [];
  let name = file.package ? `${file.package}` : '';
  for (const i of indexes) {
    const m = list[i];
    if (!m) throw translateError(`message index path [${indexes.join(', ')}] does not name a message of ${file.name}`, { messageIndexes: [...indexes], file: file.name });
    name = name ? `${name}.${m.name}` : m.name!;
    list = m.nestedType ?? [];
  }
  return name;
}

/** The Pulsar PROTOBUF_NATIVE schema of one message type of a registry Protobuf schema. */
export function protobufToPulsar(schema: ResolvedSchema, messageIndexes: readonly number[]): PulsarSchemaInfo {
  const files = fileDescriptors(schema);
  const main = files[files.length - 1]!;
  const set = descriptor.FileDescriptorSet.encode(descriptor.FileDescriptorSet.fromObject({ file: files })).finish();
  const root = messageName(main, messageIndexes);
  const data = { fileDescriptorSet: Buffer.from(set).toString('base64'), rootMessageTypeName: root, rootFileDescriptorName: main.name };
  return { type: 'ProtobufNative', name: root, data: Buffer.from(JSON.stringify(data), 'utf8'), properties: {} };
}

/** A decoder for bodies of one message type (body validation, tests). */
export function protobufType(schema: Pick<ResolvedSchema, 'schema' | 'resolved' | 'id'>, messageIndexes: readonly number[]): protobuf.Type {
  const files = fileDescriptors(schema);
  const root = (protobuf.Root as unknown as { fromDescriptor(d: unknown): protobuf.Root }).fromDescriptor({ file: files });
  return root.lookupType(messageName(files[files.length - 1]!, messageIndexes));
}
