import { likesSuite } from '../shared/likes-suite';
import { clockedEdgeForum } from './forum';

likesSuite(async () => clockedEdgeForum());
