import { crawlersSuite } from '../shared/crawlers-suite';
import { clockedEdgeForum } from './forum';

crawlersSuite(async () => clockedEdgeForum());
