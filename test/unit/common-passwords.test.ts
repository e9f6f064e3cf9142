/// <reference types="vite/client" />
/**
 * The common-password list is data, src/auth/common-passwords.txt, that each runtime loads its
 * own way: Node reads the file, Workers bundle it as a text module. This file runs in the node
 * and the edge projects; the list it expects is the file as Vite reads it (`?raw`), not through
 * either of those loaders.
 */
import { describe, expect, it } from 'vitest';
import { commonPasswords } from '../../src/auth/common-passwords';
import fileText from '../../src/auth/common-passwords.txt?raw';
import { isCommonPassword } from '../../src/auth/password';

const fileList = fileText.split('\n').filter((line) => line !== '');

describe('the common-password list', () => {
  it('is the whole file, in its order, on this runtime', () => {
    expect(fileList).toHaveLength(20_000);
    expect([...commonPasswords()]).toEqual(fileList);
  });

  it('refuses every password of the file, in any case, and no other', () => {
    expect(fileList.filter((p) => !isCommonPassword(p.toUpperCase()))).toEqual([]);
    expect(isCommonPassword('')).toBe(false);
    expect(isCommonPassword('qwertyuiop\n1234567890')).toBe(false);
    expect(isCommonPassword('a long and quite unusual passphrase')).toBe(false);
  });
});
