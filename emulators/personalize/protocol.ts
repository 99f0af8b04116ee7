// The wire rules every emulator answer follows, so the AWS SDKs rebuild typed exceptions and request ids
// (personalize-api.md §5; @smithy/core protocols/json/parseJsonBody.js, loadRestJsonErrorCode):
// - every response carries `x-amzn-RequestId`;
// - errors carry the type in `x-amzn-ErrorType` and in the body's `__type`, and a `message`;
// - restJson1 (events, runtime) answers `application/json`; awsJson1_1 (the control plane) `application/x-amz-json-1.1`.
import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { readLimited } from '../http'

export type Protocol = 'restJson1' | 'awsJson1_1'

/** An answer with an AWS error: a class, so that results and errors can never be mistaken for each other. */
export class AwsError {
  constructor(
    readonly type: string,
    readonly status: number,
    readonly message: string
  ) {}
}

// Personalize's modelled errors and the common ones the emulator uses, with their HTTP statuses as restJson1 answers
// them; the control plane's are 400 (MODELLED_STATUS below).
// https://docs.aws.amazon.com/personalize/latest/dg/CommonErrors.html
export const ERRORS = {
  invalidInput: (message: string): AwsError => new AwsError('InvalidInputException', 400, message),
  serialization: (message: string): AwsError => new AwsError('SerializationException', 400, message),
  notFound: (message: string): AwsError => new AwsError('ResourceNotFoundException', 404, message),
  alreadyExists: (message: string): AwsError => new AwsError('ResourceAlreadyExistsException', 400, message),
  inUse: (message: string): AwsError => new AwsError('ResourceInUseException', 400, message),
  limitExceeded: (message: string): AwsError => new AwsError('LimitExceededException', 400, message),
  invalidNextToken: (message: string): AwsError => new AwsError('InvalidNextTokenException', 400, message),
  tooManyTags: (message: string): AwsError => new AwsError('TooManyTagsException', 400, message),
  tooManyTagKeys: (message: string): AwsError => new AwsError('TooManyTagKeysException', 400, message),
  unknownOperation: (message: string): AwsError => new AwsError('UnknownOperationException', 404, message),
  throttling: (): AwsError => new AwsError('ThrottlingException', 400, 'Rate exceeded'),
  internal: (): AwsError =>
    new AwsError('InternalFailure', 500, 'The request processing has failed because of an unknown error.'),
  accessDenied: (message: string): AwsError => new AwsError('AccessDeniedException', 403, message),
  signature: (message: string): AwsError => new AwsError('InvalidSignatureException', 403, message),
  missingToken: (): AwsError =>
    new AwsError('MissingAuthenticationTokenException', 403, 'Missing Authentication Token'),
  incompleteSignature: (message: string): AwsError => new AwsError('IncompleteSignatureException', 400, message),
  unrecognizedClient: (): AwsError =>
    new AwsError('UnrecognizedClientException', 403, 'The security token included in the request is invalid.')
}

// The status of a modelled error depends on the service that answers it. botocore's personalize/2018-05-22 gives its
// exceptions no `error.httpStatusCode`, so the control plane (awsJson1_1) answers them, and an unknown operation, with
// 400; personalize-events and personalize-runtime (restJson1) model ResourceNotFoundException as 404 and
// ResourceInUseException as 409 (botocore personalize-events/2018-03-22, personalize-runtime/2018-05-22).
// Errors not in this table (throttling, signatures, InternalFailure) keep their own status.
export const MODELLED_STATUS: Record<Protocol, Record<string, number>> = {
  awsJson1_1: {
    InvalidInputException: 400,
    InvalidNextTokenException: 400,
    LimitExceededException: 400,
    ResourceAlreadyExistsException: 400,
    ResourceInUseException: 400,
    ResourceNotFoundException: 400,
    TooManyTagKeysException: 400,
    TooManyTagsException: 400,
    UnknownOperationException: 400,
    SerializationException: 400
  },
  restJson1: {
    InvalidInputException: 400,
    ResourceInUseException: 409,
    ResourceNotFoundException: 404,
    UnknownOperationException: 404,
    SerializationException: 400
  }
}

/** The HTTP status an error is answered with by a service of this protocol. */
export const statusOf = (protocol: Protocol, error: AwsError): number =>
  MODELLED_STATUS[protocol][error.type] ?? error.status

const CONTENT_TYPE: Record<Protocol, string> = {
  restJson1: 'application/json',
  awsJson1_1: 'application/x-amz-json-1.1'
}

/** Sends a success answer: JSON, or an empty body for operations with no output (PutEvents, PutUsers, PutItems). */
export function sendResult(res: ServerResponse, protocol: Protocol, body?: object): void {
  const text = body === undefined ? '' : JSON.stringify(body)
  res.writeHead(200, {
    'content-type': CONTENT_TYPE[protocol],
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID()
  })
  res.end(text)
}

export function sendError(res: ServerResponse, protocol: Protocol, error: AwsError): void {
  // awsJson1_1 services put the namespaced type in `__type`; restJson1 ones the bare name.
  const type = protocol === 'awsJson1_1' ? `com.amazonaws.personalize#${error.type}` : error.type
  const text = JSON.stringify({ __type: type, message: error.message })
  res.writeHead(statusOf(protocol, error), {
    'content-type': CONTENT_TYPE[protocol],
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    'x-amzn-errortype': `${error.type}:http://internal.amazon.com/coral/com.amazonaws.personalize/`
  })
  res.end(text)
}

/** Reads a request body up to `limit` bytes; undefined as soon as it is larger (the caller answers with
 *  `connection: close`, never buffers more: ../http.ts readLimited). */
export async function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return (await readLimited(req, limit))?.toString('utf8')
}

/** The JSON object in a body, or the SerializationException AWS answers for anything else. */
export function parseJson(text: string): Record<string, unknown> | AwsError {
  if (text.trim() === '') return {}
  try {
    const value: unknown = JSON.parse(text)
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>
    return ERRORS.serialization('Start of structure or map expected')
  } catch {
    return ERRORS.serialization('Unexpected character in JSON request body')
  }
}
