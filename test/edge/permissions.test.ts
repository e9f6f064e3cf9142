import { permissionsSuite } from '../shared/permissions-suite';
import { clockedEdgeForum } from './forum';

permissionsSuite(async () => clockedEdgeForum());
