export {
  AUDIENCE,
  bearer,
  failOnUnhandledRejection,
  type RejectionLog,
  useIssuer,
} from '../../../test/helpers/adapter-fixtures.js';
