import { describe, expect, it } from 'vitest';
import {
  hashPassword,
  isCommonPassword,
  needsRehash,
  parseHash,
  SCRYPT_PARAMS,
  verifyPassword,
} from '../../src/auth/password';

describe('password hashing', () => {
  it('uses OWASP scrypt parameters that fit a 128 MB Workers isolate', () => {
    expect(SCRYPT_PARAMS).toEqual({ ln: 14, r: 8, p: 5 });
    const memory = 128 * 2 ** SCRYPT_PARAMS.ln * SCRYPT_PARAMS.r;
    expect(memory).toBe(16 * 1024 * 1024);
  });

  it('stores the parameters, a random salt and the key in the hash', async () => {
    const [a, b] = await Promise.all([
      hashPassword('same password'),
      hashPassword('same password'),
    ]);
    expect(a).toMatch(/^\$scrypt\$ln=14,r=8,p=5\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(a).not.toBe(b);
    expect(parseHash(a)).toMatchObject({ ln: 14, r: 8, p: 5 });
  });

  it('verifies the right password only', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(await verifyPassword(hash, 'correct horse battery staple')).toBe(true);
    expect(await verifyPassword(hash, 'correct horse battery stapler')).toBe(false);
    expect(await verifyPassword('not a hash', 'anything')).toBe(false);
  });

  it('asks for a new hash when the stored parameters are weaker than today', () => {
    const weak =
      '$scrypt$ln=10,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA==$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U=';
    expect(needsRehash(weak)).toBe(true);
    expect(needsRehash('$scrypt$ln=14,r=8,p=5$c2FsdHNhbHRzYWx0c2FsdA==$a2V5')).toBe(false);
  });

  it('knows the common passwords, in any case', () => {
    expect(isCommonPassword('qwertyuiop')).toBe(true);
    expect(isCommonPassword('QWERTYUIOP')).toBe(true);
    expect(isCommonPassword('a long and quite unusual passphrase')).toBe(false);
  });
});
