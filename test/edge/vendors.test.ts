import { vendorsSuite } from '../shared/vendors-suite';
import { clockedEdgeForum } from './forum';

vendorsSuite(async () => clockedEdgeForum());
