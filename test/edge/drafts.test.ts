import { draftsSuite } from '../shared/drafts-suite';
import { clockedEdgeForum } from './forum';

draftsSuite(async () => clockedEdgeForum());
