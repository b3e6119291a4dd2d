/**
 * SSH keys as the SFTP transport needs them: the fingerprint of a host key in the form
 * `ssh-keygen -lf` prints (`SHA256:` + unpadded base64 of the SHA-256 of the key blob), and
 * ed25519 key pairs in OpenSSH format (the only private-key format ssh2 reads for ed25519),
 * made with node:crypto for the in-process server and the tests.
 */
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';

/** `SHA256:` + 43 characters of base64 without padding, as `ssh-keygen -lf` prints it. */
export const FINGERPRINT_PATTERN = /^SHA256:[A-Za-z0-9+/]{43}$/;

/** The fingerprint of a raw public key blob (SSH wire format, what ssh2 hands hostVerifier). */
export function fingerprint(keyBlob: Uint8Array): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

export interface OpenSshKeyPair {
  /** `-----BEGIN OPENSSH PRIVATE KEY-----` text, unencrypted. */
  privateKey: string;
  /** The authorized_keys line: `ssh-ed25519 AAAA… comment`. */
  publicKey: string;
  /** The public key blob (SSH wire format). */
  publicBlob: Buffer;
  /** `fingerprint(publicBlob)`. */
  fingerprint: string;
}

const sshString = (b: Uint8Array | string): Buffer => {
  const body = typeof b === 'string' ? Buffer.from(b, 'utf8') : Buffer.from(b);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
};
const uint32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};

/** A fresh ed25519 key pair in OpenSSH format (openssh-key-v1, cipher none). */
export function generateEd25519KeyPair(comment = 'edibridge'): OpenSshKeyPair {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const seed = Buffer.from(jwk.d ?? '', 'base64url');
  const pub = Buffer.from(jwk.x ?? '', 'base64url');
  const publicBlob = Buffer.concat([sshString('ssh-ed25519'), sshString(pub)]);
  const check = randomBytes(4).readUInt32BE();
  let priv = Buffer.concat([
    uint32(check),
    uint32(check),
    sshString('ssh-ed25519'),
    sshString(pub),
    sshString(Buffer.concat([seed, pub])),
    sshString(comment),
  ]);
  const pad: number[] = [];
  for (let i = 1; (priv.length + pad.length) % 8 !== 0; i++) pad.push(i);
  priv = Buffer.concat([priv, Buffer.from(pad)]);
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0', 'latin1'),
    sshString('none'),
    sshString('none'),
    sshString(''),
    uint32(1),
    sshString(publicBlob),
    sshString(priv),
  ]);
  const b64 = body.toString('base64').replace(/.{1,70}/g, '$&\n');
  return {
    privateKey: `-----BEGIN OPENSSH PRIVATE KEY-----\n${b64}-----END OPENSSH PRIVATE KEY-----\n`,
    publicKey: `ssh-ed25519 ${publicBlob.toString('base64')} ${comment}`,
    publicBlob,
    fingerprint: fingerprint(publicBlob),
  };
}
