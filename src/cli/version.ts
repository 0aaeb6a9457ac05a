export { packageVersion } from '../shared/version';
