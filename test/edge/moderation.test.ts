import { moderationSuite } from '../shared/moderation-suite';
import { clockedEdgeForum } from './forum';

moderationSuite(async () => clockedEdgeForum());
