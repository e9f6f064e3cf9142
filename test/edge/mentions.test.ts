import { mentionsSuite } from '../shared/mentions-suite';
import { clockedEdgeForum } from './forum';

mentionsSuite(async () => clockedEdgeForum());
