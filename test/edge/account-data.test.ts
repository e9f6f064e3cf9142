import { accountDataSuite } from '../shared/account-data-suite';
import { clockedEdgeForum } from './forum';

accountDataSuite(async () => clockedEdgeForum());
