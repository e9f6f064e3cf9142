import { describe, expect, it } from 'vitest';
import { deviceName, MAX_USER_AGENT } from '../../src/auth/device';

describe('deviceName', () => {
  it.each([
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      'Chrome on Windows',
    ],
    ['Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0', 'Firefox on Linux'],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
      'Safari on macOS',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
      'Edge on Windows',
    ],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 OPR/115.0.0.0',
      'Opera on macOS',
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
      'Safari on iOS',
    ],
    [
      'Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1',
      'Chrome on iOS',
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/133.0 Mobile/15E148 Safari/605.1.15',
      'Firefox on iOS',
    ],
    [
      'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
      'Chrome on Android',
    ],
    ['Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0', 'Firefox on Android'],
    [
      'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36',
      'Samsung Internet on Android',
    ],
    [
      'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      'Chrome on ChromeOS',
    ],
    [
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      'Chrome on Linux',
    ],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) SomethingNew/1.0', 'Unknown browser on Windows'],
    ['Firefox/133.0', 'Firefox'],
    ['curl/8.5.0', null],
    ['', null],
    [undefined, null],
  ])('%j -> %j', (ua, name) => {
    expect(deviceName(ua)).toBe(name);
  });

  it('reads only the first 512 characters of the header', () => {
    const head = 'Mozilla/5.0 (X11; Linux x86_64) ';
    const at = (spaces: number) => `${head}${' '.repeat(spaces)}Firefox/133.0`;
    const fits = MAX_USER_AGENT - head.length - 'Firefox/'.length;
    expect(deviceName(at(fits))).toBe('Firefox on Linux');
    expect(deviceName(at(fits + 1))).toBe('Unknown browser on Linux');
  });

  it('names a hostile 100 KB header from its beginning only, and answers', () => {
    // Tokens and opening brackets over and over, the kind of text that makes a careless regular
    // expression backtrack.
    const hostile = `Mozilla/5.0 (Windows NT 10.0) ${'((((Chrome/'.repeat(5_000)}`
      .padEnd(100_000, 'Firefox/ (')
      .slice(0, 100_000);
    expect(hostile.length).toBe(100_000);
    expect(deviceName(hostile)).toBe('Chrome on Windows');
    const noTokens = `${'('.repeat(50_000)}${'Mozilla/5.0 (iPhone) Firefox/1 '.repeat(1_700)}`;
    expect(noTokens.length).toBeGreaterThan(100_000);
    // Every token lies past the first 512 characters: nothing is named.
    expect(deviceName(noTokens)).toBeNull();
  });
});
