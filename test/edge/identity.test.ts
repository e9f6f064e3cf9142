import { env } from 'cloudflare:workers';
import { identitySuite } from '../shared/identity-suite';
import { clockedEdgeForum } from './forum';

// The relying party runs here in workerd; the provider runs in Node (test/edge/global-setup.ts).
identitySuite(async () => ({ forum: clockedEdgeForum(), issuer: env.PLIMUS_ISSUER }));
