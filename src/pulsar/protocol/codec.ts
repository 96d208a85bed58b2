// Table-driven proto2 codec. Each message is described once (field number, kind, required, default) next
// to its TypeScript interface; one encoder and one decoder walk those tables. Keeping field numbers in a
// single table per message is what makes them easy to check against PulsarApi.proto.
import { K2pError } from '../../errors.js';
import { ProtoReader, ProtoWriter, WIRE_LEN, WIRE_VARINT } from './protobuf.js';

/**
 * uint64/int64: bigint (ids, sequence ids). uint64n/int64n: number (millisecond times, small counters).
 * bytes: decoded as a Buffer view into the frame, not a copy.
 */
export type ScalarKind =
  'uint64' | 'int64' | 'uint64n' | 'int64n' | 'int32' | 'uint32' | 'bool' | 'string' | 'bytes';

export interface EnumDef<N extends string = string> {
  readonly name: string;
  readonly byName: Readonly<Record<N, number>>;
  readonly byValue: ReadonlyMap<number, N>;
}

export function defineEnum<const T extends Record<string, number>>(
  name: string,
  values: T,
): EnumDef<keyof T & string> {
  const byValue = new Map<number, keyof T & string>();
  for (const [k, v] of Object.entries(values)) byValue.set(v, k as keyof T & string);
  return { name, byName: values, byValue };
}

export type EnumName<E> = E extends EnumDef<infer N> ? N : never;

export interface FieldSpec {
  readonly no: number;
  readonly kind: ScalarKind | 'enum' | 'message';
  readonly repeated?: boolean;
  readonly required?: boolean;
  /** Filled in on decode when the field is absent (proto2 defaults that differ from "unset"). */
  readonly default?: unknown;
  readonly enumDef?: EnumDef;
  /** A thunk so that messages can refer to themselves (MessageIdData.first_chunk_message_id). */
  readonly message?: () => MessageSpec<object>;
  /** For enums only: the value a decoder reports when the number is not in the table. */
  readonly unknownEnum?: string;
}

interface CompiledField extends FieldSpec {
  readonly key: string;
}

export interface MessageSpec<T> {
  readonly name: string;
  readonly fields: readonly CompiledField[];
  readonly byNo: readonly (CompiledField | undefined)[];
  readonly required: readonly CompiledField[];
  readonly defaults: readonly CompiledField[];
  /** Phantom, for type inference only. */
  readonly _type?: T;
}

export type FieldSpecs<T> = { readonly [K in keyof T]-?: FieldSpec };

export function defineMessage<T extends object>(name: string, specs: FieldSpecs<T>): MessageSpec<T> {
  const fields: CompiledField[] = Object.entries(specs as Record<string, FieldSpec>)
    .map(([key, spec]) => ({ ...spec, key }))
    .sort((a, b) => a.no - b.no);
  const byNo: (CompiledField | undefined)[] = [];
  for (const f of fields) {
    if (byNo[f.no]) throw new Error(`${name}: field number ${f.no} used twice`);
    byNo[f.no] = f;
  }
  return {
    name,
    fields,
    byNo,
    required: fields.filter((f) => f.required),
    defaults: fields.filter((f) => f.default !== undefined),
  };
}

// Small constructors so the tables read like the .proto.
type Opts = Omit<FieldSpec, 'no' | 'kind'>;
export const u64 = (no: number, o: Opts = {}): FieldSpec => ({ no, kind: 'uint64', ...o });
export const i64 = (no: number, o: Opts = {}): FieldSpec => ({ no, kind: 'int64', ...o });
export const u64n = (no: number, o: Opts = {}): FieldSpec => ({ no, kind: 'uint64n', ...o });
export const i64n = (no: number, o: Opts = {}): FieldSpec => ({ no, kind: 'int64n', ...o });
export const i32 = (no: number, o: Opts = {}): FieldSpec => ({ no, kind: 'int32', ...o });
export const u32 = (no: number, o: Opts = {}): FieldSpec => ({ no, kind: 'uint32', ...o });
export const bool = (no: number, o: Opts = {}): FieldSpec => ({ no, kind: 'bool', ...o });
export const str = (no: number, o: Opts = {}): FieldSpec => ({ no, kind: 'string', ...o });
export const bytes = (no: number, o: Opts = {}): FieldSpec => ({ no, kind: 'bytes', ...o });
export const enm = (no: number, enumDef: EnumDef, o: Opts = {}): FieldSpec => ({
  no,
  kind: 'enum',
  enumDef,
  ...o,
});
export const msg = (no: number, message: () => MessageSpec<object>, o: Opts = {}): FieldSpec => ({
  no,
  kind: 'message',
  message,
  ...o,
});

const REQUIRED: Opts = { required: true };
const REPEATED: Opts = { repeated: true };
export { REQUIRED as req, REPEATED as rep };

function encodeError(
  spec: { name: string },
  message: string,
  details: Record<string, unknown> = {},
): K2pError {
  return new K2pError('K2P_PLS_ENCODE', `${spec.name}: ${message}`, details);
}

function writeScalar(w: ProtoWriter, f: CompiledField, v: unknown): void {
  switch (f.kind) {
    case 'uint64':
    case 'int64':
      w.tag(f.no, WIRE_VARINT);
      w.uint64(v as bigint);
      return;
    case 'uint64n':
    case 'int64n':
      w.tag(f.no, WIRE_VARINT);
      w.uint64n(v as number);
      return;
    case 'int32':
      w.tag(f.no, WIRE_VARINT);
      w.int32(v as number);
      return;
    case 'uint32':
      w.tag(f.no, WIRE_VARINT);
      w.varint32(v as number);
      return;
    case 'bool':
      w.tag(f.no, WIRE_VARINT);
      w.bool(v as boolean);
      return;
    case 'string':
      w.tag(f.no, WIRE_LEN);
      w.string(v as string);
      return;
    case 'bytes':
      w.tag(f.no, WIRE_LEN);
      w.bytes(v as Uint8Array);
      return;
    case 'enum': {
      const n = (f.enumDef!.byName as Record<string, number>)[v as string];
      if (n === undefined) throw encodeError(f.enumDef!, `unknown value ${String(v)} for ${f.key}`);
      w.tag(f.no, WIRE_VARINT);
      w.int32(n);
      return;
    }
    case 'message':
      w.fork(f.no);
      encodeFields(w, f.message!(), v as object);
      w.join();
      return;
  }
}

/** Writes the fields of `value` (not a length prefix) in field-number order. */
export function encodeFields<T extends object>(w: ProtoWriter, spec: MessageSpec<T>, value: T): void {
  const obj = value as Record<string, unknown>;
  for (const f of spec.fields) {
    const v = obj[f.key];
    if (v === undefined || v === null) {
      if (f.required) throw encodeError(spec, `required field ${f.key} (${f.no}) is missing`);
      continue;
    }
    if (f.repeated) {
      for (const item of v as unknown[]) writeScalar(w, f, item);
    } else {
      writeScalar(w, f, v);
    }
  }
}

/** Encodes one message into a fresh, exactly sized Buffer (tests, schemas; hot paths use the writer). */
export function encodeMessage<T extends object>(spec: MessageSpec<T>, value: T): Buffer {
  const w = new ProtoWriter(256);
  encodeFields(w, spec, value);
  return w.finish();
}

function readScalar(r: ProtoReader, f: CompiledField): unknown {
  switch (f.kind) {
    case 'uint64':
      return r.uint64();
    case 'int64':
      return r.int64();
    case 'uint64n':
      return r.uint64n();
    case 'int64n':
      return r.int64n();
    case 'int32':
      return r.int32();
    case 'uint32':
      return r.uint32();
    case 'bool':
      return r.bool();
    case 'string':
      return r.string();
    case 'bytes':
      return r.bytes();
    case 'enum': {
      const n = r.int32();
      // proto2 treats an unknown enum number like an unknown field; a few enums (ServerError) name a fallback.
      return f.enumDef!.byValue.get(n) ?? f.unknownEnum;
    }
    case 'message': {
      const len = r.length();
      const end = r.pos + len;
      const v = decodeRange(r, f.message!(), end);
      return v;
    }
  }
}

function expectedWireType(f: CompiledField): number {
  return f.kind === 'string' || f.kind === 'bytes' || f.kind === 'message' ? WIRE_LEN : WIRE_VARINT;
}

function decodeRange<T extends object>(
  r: ProtoReader,
  spec: MessageSpec<T>,
  end: number,
  out: Record<string, unknown> = {},
): T {
  const outerEnd = r.end;
  r.end = end;
  try {
    while (r.pos < end) {
      const tag = r.uint32();
      const no = tag >>> 3;
      const wt = tag & 7;
      const f = no < spec.byNo.length ? spec.byNo[no] : undefined;
      if (f === undefined) {
        r.skip(wt);
        continue;
      }
      const want = expectedWireType(f);
      if (wt !== want) {
        if (f.repeated && wt === WIRE_LEN && want === WIRE_VARINT) {
          // Packed repeated scalars: accepted on decode even though proto2 writers send them unpacked.
          const len = r.length();
          const stop = r.pos + len;
          const list = (out[f.key] as unknown[] | undefined) ?? (out[f.key] = []);
          while (r.pos < stop) (list as unknown[]).push(readScalar(r, f));
          continue;
        }
        throw new K2pError('K2P_PLS_DECODE', `${spec.name}.${f.key}: wire type ${wt}, expected ${want}`, {
          field: f.no,
        });
      }
      const v = readScalar(r, f);
      if (v === undefined) continue;
      if (f.repeated) {
        const list = out[f.key] as unknown[] | undefined;
        if (list) list.push(v);
        else out[f.key] = [v];
      } else {
        out[f.key] = v;
      }
    }
  } finally {
    r.end = outerEnd;
  }
  if (r.pos !== end)
    throw new K2pError('K2P_PLS_DECODE', `${spec.name}: field overruns its message`, { end });
  for (const f of spec.required) {
    if (out[f.key] === undefined) {
      throw new K2pError('K2P_PLS_DECODE', `${spec.name}: required field ${f.key} (${f.no}) is missing`);
    }
  }
  for (const f of spec.defaults) if (out[f.key] === undefined) out[f.key] = f.default;
  return out as T;
}

/** Decodes `buf[start, end)` as one message; `into` lets a caller pre-seed the result (saves a copy). */
export function decodeMessage<T extends object>(
  spec: MessageSpec<T>,
  buf: Buffer,
  start = 0,
  end = buf.length,
  into?: Record<string, unknown>,
): T {
  return decodeRange(new ProtoReader(buf, start, end), spec, end, into);
}
