import type { RequestHead, ResponseHead } from '../../wire/index.js';

/** WhyTopic names the protocol rule a note explains. */
export type WhyTopic =
  | 'not-modified'
  | 'partial-content'
  | 'range-not-satisfiable'
  | 'range-ignored'
  | 'method-not-allowed'
  | 'expect-continue'
  | 'connection-close'
  | 'keep-alive';

/** WhyNote is one plain-language sentence (or two) on why the server answered as it did. */
export interface WhyNote {
  readonly topic: WhyTopic;
  readonly text: string;
}

export interface WhyInput {
  /** Undefined for a response nobody was seen asking for. */
  readonly request: RequestHead | undefined;
  readonly response: ResponseHead;
  /** 1xx responses before the final one. */
  readonly interim?: readonly ResponseHead[];
  /** 1 for the first exchange on its connection. */
  readonly sequence?: number;
}

/**
 * whyNotes explains the answers the protocol itself decides, from the two heads alone: 304 from
 * If-None-Match / If-Modified-Since, 206 and 416 from Range (and a Range that got a 200), 405 with
 * Allow, 100-continue, and whether the connection stays open. Returns the notes in that order;
 * the connection note is always last, other notes only where their rule applied. Pure: the same
 * heads always give the same notes.
 */
export function whyNotes(input: WhyInput): WhyNote[] {
  const { request: req, response: res } = input;
  const notes: WhyNote[] = [];
  const rh = req?.headers;
  const status = res.status;
  if (status === 304) notes.push(notModified(req, res));
  const range = rh?.get('range');
  if (status === 206) {
    const cr = res.headers.get('content-range');
    const multi = /^multipart\/byteranges/i.test(res.headers.get('content-type') ?? '');
    const asked = range === undefined ? 'The request carried no Range, yet the server' : `The request asked for part of the resource (Range: ${range}); the server`;
    const which = multi ? 'sent the ranges as multipart/byteranges, each part with its own Content-Range' : cr === undefined ? 'sent part of it (though without the Content-Range it should carry)' : `sent just those bytes, and Content-Range: ${cr} says where they sit in the whole`;
    const ifRange = rh?.get('if-range');
    notes.push({ topic: 'partial-content', text: `206 Partial Content. ${asked} ${which}${ifRange === undefined ? '' : ` (If-Range: ${ifRange} still matched, so the range was honoured)`} (RFC 9110 §14.2, §15.3.7).` });
  } else if (status === 416) {
    const cr = res.headers.get('content-range');
    notes.push({
      topic: 'range-not-satisfiable',
      text: `416 Range Not Satisfiable. ${range === undefined ? 'The requested range' : `Range: ${range}`} lies wholly outside the resource${cr === undefined ? '' : `; Content-Range: ${cr} tells the client its real length`} (RFC 9110 §15.5.17).`,
    });
  } else if (range !== undefined && status === 200 && req?.method === 'GET') {
    const ifRange = rh?.get('if-range');
    notes.push({
      topic: 'range-ignored',
      text: ifRange !== undefined
        ? `200 instead of 206: If-Range: ${ifRange} no longer matches the resource, so the server ignored Range and sent the whole, current representation (RFC 9110 §13.1.5).`
        : `200 instead of 206: the server ignored Range: ${range} and sent the whole resource, which a server may always do (RFC 9110 §14.2)${/none/i.test(res.headers.get('accept-ranges') ?? '') ? '; Accept-Ranges: none says it does not do ranges here' : ''}.`,
    });
  }
  if (status === 405) {
    const allow = res.headers.get('allow');
    const method = req === undefined ? 'this method' : req.method;
    notes.push({
      topic: 'method-not-allowed',
      text: allow !== undefined
        ? `405 Method Not Allowed. This resource exists but does not take ${method}; Allow lists the methods it does: ${allow} (RFC 9110 §15.5.6).`
        : `405 Method Not Allowed. This resource does not take ${method}; the server should have listed the methods it does take in an Allow header, but sent none (RFC 9110 §15.5.6).`,
    });
  }
  if (req?.expectContinue === true) notes.push(expectContinue(res, input.interim ?? []));
  notes.push(connection(req, res, input.sequence ?? 1));
  return notes;
}

function notModified(req: RequestHead | undefined, res: ResponseHead): WhyNote {
  const inm = req?.headers.get('if-none-match');
  const ims = req?.headers.get('if-modified-since');
  const etag = res.headers.get('etag');
  if (inm !== undefined) {
    const also = ims !== undefined ? ' If-Modified-Since was ignored: If-None-Match takes precedence (RFC 9110 §13.2.2).' : '';
    return {
      topic: 'not-modified',
      text: `304 Not Modified. The request's If-None-Match: ${inm} matches the resource's current ETag${etag === undefined ? '' : ` (${etag})`}, so the server sent no body: the client reuses the copy it has cached (RFC 9110 §13.1.2, §15.4.5).${also}`,
    };
  }
  if (ims !== undefined) {
    return {
      topic: 'not-modified',
      text: `304 Not Modified. The resource has not changed since If-Modified-Since: ${ims}${res.headers.get('last-modified') === undefined ? '' : ` (Last-Modified: ${res.headers.get('last-modified')})`}, so the server sent no body: the client reuses its cached copy (RFC 9110 §13.1.3, §15.4.5).`,
    };
  }
  return { topic: 'not-modified', text: '304 Not Modified, although the request carried no If-None-Match or If-Modified-Since: a 304 only answers a conditional request (RFC 9110 §15.4.5).' };
}

function expectContinue(res: ResponseHead, interim: readonly ResponseHead[]): WhyNote {
  if (interim.some((h) => h.status === 100)) {
    return { topic: 'expect-continue', text: 'The client sent Expect: 100-continue and waited for the server\'s 100 Continue before sending its body, so a refused request would not have cost the upload (RFC 9110 §10.1.1).' };
  }
  if (res.status === 417) return { topic: 'expect-continue', text: '417 Expectation Failed: the server does not meet the request\'s Expect header (RFC 9110 §10.1.1).' };
  return {
    topic: 'expect-continue',
    text: `The client sent Expect: 100-continue; the server answered ${res.status} straight away instead of 100 Continue${res.status >= 400 ? ', refusing the request before its body was sent' : ''} (RFC 9110 §10.1.1).`,
  };
}

/** connection says whether the connection outlives this exchange, and which side decided (RFC 9112 §9.3, §9.6). */
function connection(req: RequestHead | undefined, res: ResponseHead, sequence: number): WhyNote {
  const resClose = res.headers.hasToken('connection', 'close');
  const reqClose = req !== undefined && req.headers.hasToken('connection', 'close');
  const reused = sequence > 1 ? ` This was exchange ${sequence} on the connection: it was reused.` : '';
  if (res.framing.kind === 'close') {
    return { topic: 'connection-close', text: `Connection closes: the response has neither Content-Length nor chunked coding, so only the connection closing can mark the end of its body; nothing can follow it on this connection (RFC 9112 §6.3).${reused}` };
  }
  if (reqClose) {
    return { topic: 'connection-close', text: `Connection closes: the client asked for it (Connection: close in the request), so the server closes after this response and the next request needs a new connection (RFC 9112 §9.6).${reused}` };
  }
  if (req !== undefined && req.versionMinor === 0 && !req.keepAlive) {
    return { topic: 'connection-close', text: `Connection closes: an HTTP/1.0 request without Connection: keep-alive gets one exchange per connection (RFC 9112 §9.3).${reused}` };
  }
  if (resClose) {
    return { topic: 'connection-close', text: `Connection closes: the server decided to (Connection: close in the response), e.g. after an error, at shutdown or at its limit of requests per connection; the client must open a new connection for the next request (RFC 9112 §9.6).${reused}` };
  }
  if (!res.keepAlive) {
    return { topic: 'connection-close', text: `Connection closes: an HTTP/1.0 response without Connection: keep-alive ends the connection (RFC 9112 §9.3).${reused}` };
  }
  const why = req !== undefined && req.versionMinor === 0
    ? 'the HTTP/1.0 client asked for Connection: keep-alive and the server kept it'
    : 'HTTP/1.1 connections persist unless either side says Connection: close';
  return { topic: 'keep-alive', text: `Keep-alive: ${why}, so the connection stays open for the next request (RFC 9112 §9.3).${reused}` };
}
