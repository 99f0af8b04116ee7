// nock patches Node's http for the whole jest worker, but each test file loads its own nock, with its own interceptors:
// persistent ones a file left behind would answer later files' requests (the event tester's capture saw none of its
// own). Every test file that uses nock imports this, so that its interceptors go with it.
import nock from 'nock'

afterAll(() => {
  nock.cleanAll()
  nock.enableNetConnect()
})
