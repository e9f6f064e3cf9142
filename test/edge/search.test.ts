import { searchSuite } from '../shared/search-suite';
import { clockedEdgeForum } from './forum';

searchSuite(async () => clockedEdgeForum());
