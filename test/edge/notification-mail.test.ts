import { notificationMailSuite } from '../shared/notification-mail-suite';
import { clockedEdgeForum } from './forum';

notificationMailSuite(async () => clockedEdgeForum());
