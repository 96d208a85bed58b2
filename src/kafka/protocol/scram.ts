// SCRAM-SHA-256 / SCRAM-SHA-512 (RFC 5802, RFC 7677) client side, as Kafka runs it: no channel binding
// ("n,,"), the username's "=" and "," escaped. Three steps: first message, final message (from the server's
// first), then the server's signature checked.
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { K2pError } from '../../errors.js';

export type ScramHash = 'sha256' | 'sha512';

const KEY_LENGTH: Record<ScramHash, number> = { sha256: 32, sha512: 64 };

function authError(message: string): K2pError {
  return new K2pError('K2P_KFK_AUTH', message, {});
}

function attributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return out;
}

export class ScramClient {
  private readonly nonce: string;
  private readonly firstBare: string;
  private serverSignature: Buffer | undefined;

  constructor(
    private readonly hash: ScramHash,
    username: string,
    private readonly password: string,
    nonce = randomBytes(24).toString('base64'),
  ) {
    this.nonce = nonce;
    const name = username.replace(/=/g, '=3D').replace(/,/g, '=2C');
    this.firstBare = `n=${name},r=${nonce}`;
  }

  firstMessage(): Buffer {
    return Buffer.from(`n,,${this.firstBare}`, 'utf8');
  }

  /** The client-final message answering the server-first one. */
  finalMessage(serverFirst: Buffer): Buffer {
    const text = serverFirst.toString('utf8');
    const a = attributes(text);
    const nonce = a.get('r');
    const salt = a.get('s');
    const iterations = Number(a.get('i'));
    if (a.has('e')) throw authError(`SCRAM: the broker refused: ${a.get('e')}`);
    if (!nonce?.startsWith(this.nonce) || !salt || !Number.isInteger(iterations) || iterations < 1)
      throw authError('SCRAM: the broker answered with a malformed first message');
    const len = KEY_LENGTH[this.hash];
    const salted = pbkdf2Sync(this.password.normalize('NFKC'), Buffer.from(salt, 'base64'), iterations, len, this.hash);
    const clientKey = createHmac(this.hash, salted).update('Client Key').digest();
    const storedKey = createHash(this.hash).update(clientKey).digest();
    const withoutProof = `c=biws,r=${nonce}`;
    const authMessage = `${this.firstBare},${text},${withoutProof}`;
    const signature = createHmac(this.hash, storedKey).update(authMessage).digest();
    const proof = Buffer.alloc(len);
    for (let i = 0; i < len; i++) proof[i] = clientKey[i]! ^ signature[i]!;
    const serverKey = createHmac(this.hash, salted).update('Server Key').digest();
    this.serverSignature = createHmac(this.hash, serverKey).update(authMessage).digest();
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`, 'utf8');
  }

  /** Throws unless the server-final message proves the broker knows the password too. */
  checkServerFinal(serverFinal: Buffer): void {
    const a = attributes(serverFinal.toString('utf8'));
    if (a.has('e')) throw authError(`SCRAM: the broker refused: ${a.get('e')}`);
    const v = Buffer.from(a.get('v') ?? '', 'base64');
    if (!this.serverSignature || v.length !== this.serverSignature.length || !timingSafeEqual(v, this.serverSignature))
      throw authError('SCRAM: the broker\'s signature does not match (not the broker holding these credentials?)');
  }
}
