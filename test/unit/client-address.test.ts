import { describe, expect, it } from 'vitest';
import { forwardedAddress } from '../../src/client-address';

const headers =
  (values: Record<string, string>) =>
  (name: string): string | undefined =>
    values[name.toLowerCase()];

describe('forwardedAddress', () => {
  it('reads X-Forwarded-For from the right, as far as the trusted proxies go', () => {
    const xff = headers({ 'x-forwarded-for': '10.0.0.1, 203.0.113.9 , 198.51.100.2' });
    expect(forwardedAddress({ hops: 1 }, xff)).toBe('198.51.100.2');
    expect(forwardedAddress({ hops: 2 }, xff)).toBe('203.0.113.9');
    expect(forwardedAddress({ hops: 3 }, xff)).toBe('10.0.0.1');
  });

  it('believes nothing when the request did not pass every trusted proxy', () => {
    const xff = headers({ 'x-forwarded-for': '198.51.100.2' });
    expect(forwardedAddress({ hops: 2 }, xff)).toBeUndefined();
    expect(forwardedAddress({ hops: 1 }, headers({}))).toBeUndefined();
    expect(forwardedAddress({ hops: 1 }, headers({ 'x-forwarded-for': ' , ' }))).toBeUndefined();
  });

  it('reads the named header, its last entry should a proxy append to it', () => {
    expect(
      forwardedAddress({ header: 'X-Real-IP' }, headers({ 'x-real-ip': '198.51.100.2' })),
    ).toBe('198.51.100.2');
    const appended = headers({ 'x-real-ip': '10.0.0.1, 198.51.100.2' });
    expect(forwardedAddress({ header: 'X-Real-IP' }, appended)).toBe('198.51.100.2');
    expect(forwardedAddress({ header: 'X-Real-IP' }, headers({}))).toBeUndefined();
  });
});
