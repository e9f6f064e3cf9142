import { readingSuite } from '../shared/reading-suite';
import { clockedEdgeForum } from './forum';

readingSuite(async () => clockedEdgeForum());
