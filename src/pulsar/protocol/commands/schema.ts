// Schema registry commands of the binary protocol.
import { bytes, defineMessage, enm, msg, str, u64, req } from '../codec.js';
import { ServerErrorEnum, type ServerError } from '../enums.js';
import { SchemaSpec, type Schema } from '../messages.js';

const serverError = (no: number) => enm(no, ServerErrorEnum, { unknownEnum: 'UnknownError' });

export interface CommandGetSchema {
  requestId: bigint;
  topic: string;
  /** Absent = latest. */
  schemaVersion?: Uint8Array;
}
export const CommandGetSchemaSpec = defineMessage<CommandGetSchema>('CommandGetSchema', {
  requestId: u64(1, req),
  topic: str(2, req),
  schemaVersion: bytes(3),
});

export interface CommandGetSchemaResponse {
  requestId: bigint;
  errorCode?: ServerError;
  errorMessage?: string;
  schema?: Schema;
  schemaVersion?: Uint8Array;
}
export const CommandGetSchemaResponseSpec = defineMessage<CommandGetSchemaResponse>(
  'CommandGetSchemaResponse',
  {
    requestId: u64(1, req),
    errorCode: serverError(2),
    errorMessage: str(3),
    schema: msg(4, () => SchemaSpec),
    schemaVersion: bytes(5),
  },
);

export interface CommandGetOrCreateSchema {
  requestId: bigint;
  topic: string;
  schema: Schema;
}
export const CommandGetOrCreateSchemaSpec = defineMessage<CommandGetOrCreateSchema>(
  'CommandGetOrCreateSchema',
  {
    requestId: u64(1, req),
    topic: str(2, req),
    schema: msg(3, () => SchemaSpec, req),
  },
);

export interface CommandGetOrCreateSchemaResponse {
  requestId: bigint;
  errorCode?: ServerError;
  errorMessage?: string;
  schemaVersion?: Uint8Array;
}
export const CommandGetOrCreateSchemaResponseSpec = defineMessage<CommandGetOrCreateSchemaResponse>(
  'CommandGetOrCreateSchemaResponse',
  {
    requestId: u64(1, req),
    errorCode: serverError(2),
    errorMessage: str(3),
    schemaVersion: bytes(4),
  },
);
