import { postingSuite } from '../shared/posting-suite';
import { clockedEdgeForum } from './forum';

postingSuite(async () => clockedEdgeForum());
