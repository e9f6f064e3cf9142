import { formBodiesSuite } from '../shared/form-bodies-suite';
import { clockedEdgeForum } from './forum';

formBodiesSuite(async () => clockedEdgeForum());
