import { accountsSuite } from '../shared/accounts-suite';
import { clockedEdgeForum } from './forum';

accountsSuite(async () => clockedEdgeForum());
