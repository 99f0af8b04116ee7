// Moved into destination/ (so it travels with the destination to Segment's repository); kept here for tests outside
// destination/ that import it.
export * from '../destination/__tests__/__helpers__/personalizeNock'
