import { pagesSuite } from '../shared/pages-suite';
import { edgeForum } from './forum';

pagesSuite(async () => edgeForum());
