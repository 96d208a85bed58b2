// Connection-level commands: handshake, keep-alive, auth refresh, generic success/error.
import { bytes, defineMessage, enm, i32, msg, str, u64, req } from '../codec.js';
import { AuthMethodEnum, ServerErrorEnum, type AuthMethod, type ServerError } from '../enums.js';
import {
  AuthDataSpec,
  FeatureFlagsSpec,
  SchemaSpec,
  type AuthData,
  type FeatureFlags,
  type Schema,
} from '../messages.js';

export interface CommandConnect {
  clientVersion: string;
  /** Deprecated by the broker in favour of authMethodName. */
  authMethod?: AuthMethod;
  authData?: Uint8Array;
  protocolVersion?: number;
  authMethodName?: string;
  proxyToBrokerUrl?: string;
  originalPrincipal?: string;
  originalAuthData?: string;
  originalAuthMethod?: string;
  featureFlags?: FeatureFlags;
  proxyVersion?: string;
}
export const CommandConnectSpec = defineMessage<CommandConnect>('CommandConnect', {
  clientVersion: str(1, req),
  authMethod: enm(2, AuthMethodEnum),
  authData: bytes(3),
  protocolVersion: i32(4),
  authMethodName: str(5),
  proxyToBrokerUrl: str(6),
  originalPrincipal: str(7),
  originalAuthData: str(8),
  originalAuthMethod: str(9),
  featureFlags: msg(10, () => FeatureFlagsSpec),
  proxyVersion: str(11),
});

export interface CommandConnected {
  serverVersion: string;
  protocolVersion?: number;
  /** The broker's limit for one message; frames may exceed it by a little header room. */
  maxMessageSize?: number;
  featureFlags?: FeatureFlags;
}
export const CommandConnectedSpec = defineMessage<CommandConnected>('CommandConnected', {
  serverVersion: str(1, req),
  protocolVersion: i32(2),
  maxMessageSize: i32(3),
  featureFlags: msg(4, () => FeatureFlagsSpec),
});

// Empty messages: the BaseCommand still carries the (empty) sub-message field.
export type CommandPing = Record<never, never>;
export const CommandPingSpec = defineMessage<CommandPing>('CommandPing', {});
export type CommandPong = Record<never, never>;
export const CommandPongSpec = defineMessage<CommandPong>('CommandPong', {});

export interface CommandAuthChallenge {
  serverVersion?: string;
  challenge?: AuthData;
  protocolVersion?: number;
}
export const CommandAuthChallengeSpec = defineMessage<CommandAuthChallenge>('CommandAuthChallenge', {
  serverVersion: str(1),
  challenge: msg(2, () => AuthDataSpec),
  protocolVersion: i32(3),
});

export interface CommandAuthResponse {
  clientVersion?: string;
  response?: AuthData;
  protocolVersion?: number;
}
export const CommandAuthResponseSpec = defineMessage<CommandAuthResponse>('CommandAuthResponse', {
  clientVersion: str(1),
  response: msg(2, () => AuthDataSpec),
  protocolVersion: i32(3),
});

export interface CommandSuccess {
  requestId: bigint;
  schema?: Schema;
}
export const CommandSuccessSpec = defineMessage<CommandSuccess>('CommandSuccess', {
  requestId: u64(1, req),
  schema: msg(2, () => SchemaSpec),
});

export interface CommandError {
  requestId: bigint;
  error: ServerError;
  message: string;
}
export const CommandErrorSpec = defineMessage<CommandError>('CommandError', {
  requestId: u64(1, req),
  error: enm(2, ServerErrorEnum, { required: true, unknownEnum: 'UnknownError' }),
  message: str(3, req),
});
