import { nodeVersionFits, reasonFrom } from '../segment-check'

test('accepts only the Node versions the checkout’s engines allow (^18.17 || ^22.13)', () => {
  expect(['v22.23.5', 'v22.13.0', 'v18.17.1', '18.20.0'].map(nodeVersionFits)).toEqual([true, true, true, true])
  expect(['v20.20.2', 'v22.12.0', 'v18.16.0', 'v24.1.0', 'nonsense'].map(nodeVersionFits)).toEqual([
    false,
    false,
    false,
    false,
    false
  ])
})

test('a failure’s reason is the output lines about the copy, else the last lines, without colours', () => {
  const output = 'Checking...\n\u001b[31msrc/destinations/copy/a.ts(1,2): error TS1\u001b[39m\nother\nFound 1 error.\n'
  expect(reasonFrom(output, 'copy')).toBe('src/destinations/copy/a.ts(1,2): error TS1')
  expect(reasonFrom(output, 'absent', 2)).toBe('other | Found 1 error.')
})
