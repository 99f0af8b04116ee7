// What the local stack's own pages and JSON endpoints share (the explorer, the mappings view, the Profile API, the
// Tracking API, /_local/stats): a JSON answer, and a page's files served from the folder beside the code.
import { readFileSync } from 'node:fs'
import type http from 'node:http'
import path from 'node:path'

export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: http.OutgoingHttpHeaders = {},
  indent?: number
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(JSON.stringify(body, null, indent))
}

export interface PageFile {
  file: string
  type: string
}

/**
 * A page's files from `dir` (read once). Built, they are copied beside the compiled code (package.json's build
 * script), so the same path serves both; a file that is not there is a 500 that says so.
 */
export function pageFiles(dir: string) {
  const cache = new Map<string, Buffer>()
  return (res: http.ServerResponse, { file, type }: PageFile): void => {
    let body = cache.get(file)
    if (!body) {
      try {
        body = readFileSync(path.join(dir, file))
      } catch {
        return sendJson(res, 500, { error: 'missing_asset', message: `${file} is not in ${dir}: run npm run build` })
      }
      cache.set(file, body)
    }
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache' })
    res.end(body)
  }
}
