import { describe, expect, it } from 'vitest';
import { pagesSuite } from '../shared/pages-suite';
import { edgeForum } from './forum';

pagesSuite(async () => edgeForum());

// The Worker here has no PUBLIC_ORIGIN: the forum's own origin is the one each request came to.
describe('the forum’s own origin on Workers without PUBLIC_ORIGIN', () => {
  const forum = edgeForum();
  const signOut = (url: string, origin: string) =>
    forum.request(url, {
      method: 'POST',
      redirect: 'manual',
      headers: { Origin: origin, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: '',
    });

  it('decides HSTS: sent over https, not over http', async () => {
    const https = await forum.request('https://forum.test/', { redirect: 'manual' });
    expect(https.headers.get('strict-transport-security')).toContain('max-age=');
    const http = await forum.request('http://forum.test/', { redirect: 'manual' });
    expect(http.headers.get('strict-transport-security')).toBeNull();
  });

  it('is the only origin whose forms are taken', async () => {
    expect((await signOut('https://forum.test/logout', 'https://forum.test')).status).toBe(303);
    expect((await signOut('https://forum.test/logout', 'http://forum.test')).status).toBe(403);
    expect((await signOut('http://forum.test/logout', 'https://forum.example')).status).toBe(403);
  });
});
