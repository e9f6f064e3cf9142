import { collectLessSuite } from '../shared/collect-less-suite';
import { clockedEdgeForum } from './forum';

collectLessSuite(async () => clockedEdgeForum());
