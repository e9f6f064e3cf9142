import { emailSuite } from '../shared/email-suite';
import { clockedEdgeForum } from './forum';

emailSuite(async () => clockedEdgeForum());
