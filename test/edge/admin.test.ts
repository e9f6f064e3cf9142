import { adminSuite } from '../shared/admin-suite';
import { clockedEdgeForum } from './forum';

adminSuite(async () => clockedEdgeForum());
