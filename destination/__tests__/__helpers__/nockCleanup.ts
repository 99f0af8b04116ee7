// nock patches Node's http for the whole jest worker, but each test file loads its own nock, with its own interceptors:
// persistent ones a file left behind would answer later files' requests (the event tester's capture saw none of its
// own). Every test file that uses nock imports this, so that its interceptors go with it. It lives under
// __tests__/__helpers__/ because Segment's jest (segmentio/action-destinations) runs every other file under
// __tests__/ as a suite, and the destination must not import anything from outside its own folder there.
import nock from 'nock'

afterAll(() => {
  nock.cleanAll()
  nock.enableNetConnect()
  // And its patch of http goes too: a later file in the same worker loads a nock of its own, and the stale one would
  // still see that file's requests first (test/hostile.test.ts's `POST //` made it throw "Invalid URL" and hang).
  nock.restore()
})
