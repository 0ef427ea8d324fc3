/**
 * Detached Ed25519 signatures over report files (`drperm audit --sign KEY`,
 * `drperm verify-report`), so an auditor can tell the exported files were not edited.
 * Keys are PEM files: PKCS#8 private keys, SPKI public keys (README "Signed reports" shows
 * how to make them with openssl). The signature file `<report>.sig` is JSON naming the
 * signed file, its SHA-256 and the public key's fingerprint, beside the signature itself.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { InputError } from '../util/errors';

export const SIGNATURE_FORMAT = 'drperm-signature';
export const SIGNATURE_SUFFIX = '.sig';

export interface SignatureFile {
  format: typeof SIGNATURE_FORMAT;
  formatVersion: 1;
  algorithm: 'Ed25519';
  /** Name of the signed file (without directory: the pair may be moved together). */
  file: string;
  /** SHA-256 of the signed bytes, hex. */
  sha256: string;
  /** SHA-256 of the public key (SPKI DER), hex: which key to verify with. */
  publicKeySha256: string;
  /** The Ed25519 signature over the file's bytes, base64. */
  signature: string;
  signedAt: string;
}

const OPENSSL_HINT =
  'make a key pair with: openssl genpkey -algorithm ed25519 -out audit-key.pem && openssl pkey -in audit-key.pem -pubout -out audit-key.pub.pem';

async function readKeyFile(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new InputError(`cannot read ${what} ${path}: ${(err as Error).message}`, {
      cause: err,
      location: { file: path },
    });
  }
}

function requireEd25519(key: KeyObject, path: string, what: string): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new InputError(
      `${path} is a ${key.asymmetricKeyType ?? 'symmetric'} ${what}; reports are signed with Ed25519`,
      { hint: OPENSSL_HINT, location: { file: path } },
    );
  }
  return key;
}

/** The private key of a PEM file (PKCS#8; an unencrypted key, protected by its file mode). */
export async function loadSigningKey(path: string): Promise<KeyObject> {
  const pem = await readKeyFile(path, 'signing key');
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (err) {
    throw new InputError(`${path} is not a usable PEM private key: ${(err as Error).message}`, {
      cause: err,
      hint: OPENSSL_HINT,
      location: { file: path },
    });
  }
  return requireEd25519(key, path, 'private key');
}

/** The public key of a PEM file (SPKI), or the public half of a private key file. */
export async function loadVerifyKey(path: string): Promise<KeyObject> {
  const pem = await readKeyFile(path, 'public key');
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch (err) {
    throw new InputError(`${path} is not a PEM public key: ${(err as Error).message}`, {
      cause: err,
      hint: OPENSSL_HINT,
      location: { file: path },
    });
  }
  return requireEd25519(key, path, 'public key');
}

function keyFingerprint(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

/** Signs one file; writes and returns the path of `<file>.sig`. */
export async function signFile(path: string, key: KeyObject, now = new Date()): Promise<string> {
  const bytes = await readFile(path);
  const content: SignatureFile = {
    format: SIGNATURE_FORMAT,
    formatVersion: 1,
    algorithm: 'Ed25519',
    file: basename(path),
    sha256: createHash('sha256').update(bytes).digest('hex'),
    publicKeySha256: keyFingerprint(key),
    signature: sign(null, bytes, key).toString('base64'),
    signedAt: now.toISOString(),
  };
  const sigPath = path + SIGNATURE_SUFFIX;
  await writeFile(sigPath, JSON.stringify(content, null, 2) + '\n', 'utf8');
  return sigPath;
}

export interface Verification {
  valid: boolean;
  /** One sentence for the user. */
  message: string;
}

async function readSignature(path: string): Promise<SignatureFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read signature ${path}: ${(err as Error).message}`, {
      cause: err,
      hint: 'the signature is the file written beside the report by `drperm audit --sign`',
      location: { file: path },
    });
  }
  let parsed: Partial<SignatureFile>;
  try {
    parsed = JSON.parse(text) as Partial<SignatureFile>;
  } catch {
    throw new InputError(`${path} is not a drperm signature file (not JSON)`, {
      location: { file: path },
    });
  }
  if (
    parsed.format !== SIGNATURE_FORMAT ||
    parsed.algorithm !== 'Ed25519' ||
    typeof parsed.signature !== 'string'
  ) {
    throw new InputError(`${path} is not a drperm Ed25519 signature file`, {
      location: { file: path },
    });
  }
  return parsed as SignatureFile;
}

/** Checks `file` against its detached signature with the public key. */
export async function verifyFile(
  file: string,
  key: KeyObject,
  signaturePath = file + SIGNATURE_SUFFIX,
): Promise<Verification> {
  const signature = await readSignature(signaturePath);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new InputError(`cannot read report ${file}: ${(err as Error).message}`, {
      cause: err,
      location: { file },
    });
  }
  const fingerprint = keyFingerprint(key);
  if (signature.publicKeySha256 && signature.publicKeySha256 !== fingerprint) {
    return {
      valid: false,
      message: `${file}: signed with another key (fingerprint ${signature.publicKeySha256.slice(0, 16)}…, given key ${fingerprint.slice(0, 16)}…)`,
    };
  }
  const ok = verify(null, bytes, key, Buffer.from(signature.signature, 'base64'));
  if (!ok) {
    const digest = createHash('sha256').update(bytes).digest('hex');
    const why =
      digest !== signature.sha256
        ? 'the file was changed after it was signed'
        : 'the signature itself was changed';
    return { valid: false, message: `${file}: signature does NOT match: ${why}` };
  }
  return {
    valid: true,
    message: `${file}: signature valid (Ed25519, key ${fingerprint.slice(0, 16)}…, signed ${signature.signedAt})`,
  };
}
