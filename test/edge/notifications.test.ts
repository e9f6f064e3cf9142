import { notificationsSuite } from '../shared/notifications-suite';
import { clockedEdgeForum } from './forum';

notificationsSuite(async () => clockedEdgeForum());
