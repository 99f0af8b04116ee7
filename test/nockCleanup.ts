// Moved into destination/ (so it travels with the destination to Segment's repository); kept here for the tests
// outside destination/ that import it.
import '../destination/__tests__/__helpers__/nockCleanup'
