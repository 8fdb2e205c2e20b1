import { seconds, type ClientResponse } from '../client/index.js';

/** TransferResult is what -w can report about one URL's transfer. */
export interface TransferResult {
  response: ClientResponse | undefined;
  urlEffective: string;
  method: string;
  sizeDownload: number;
  sizeUpload: number;
  sizeHeader: number;
  sizeRequest: number;
  numConnects: number;
  numRedirects: number;
  exitCode: number;
  errorMessage: string;
}

/**
 * renderWriteOut expands a curl -w format: `%{variable}`, `%{header{name}}`/`%header{name}`, `%%`,
 * and the backslash escapes `\n`, `\r`, `\t`, `\\`. Unknown variables expand to nothing, as in curl.
 */
export function renderWriteOut(format: string, r: TransferResult): string {
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c === '\\' && i + 1 < format.length) {
      const n = format[i + 1]!;
      const esc = n === 'n' ? '\n' : n === 'r' ? '\r' : n === 't' ? '\t' : n === '\\' ? '\\' : undefined;
      if (esc !== undefined) {
        out += esc;
        i++;
        continue;
      }
    }
    if (c === '%' && format[i + 1] === '%') {
      out += '%';
      i++;
      continue;
    }
    if (c === '%' && format.startsWith('header{', i + 1)) {
      const end = format.indexOf('}', i + 8);
      if (end > 0) {
        out += r.response?.headers.getAll(format.slice(i + 8, end)).join(', ') ?? '';
        i = end;
        continue;
      }
    }
    if (c === '%' && format[i + 1] === '{') {
      const end = format.indexOf('}', i + 2);
      if (end > 0) {
        const name = format.slice(i + 2, end);
        if (name.startsWith('header{')) {
          const close = format.indexOf('}', end + 1);
          out += r.response?.headers.getAll(name.slice(7)).join(', ') ?? '';
          i = close > 0 ? close : end;
          continue;
        }
        out += variable(name, r);
        i = end;
        continue;
      }
    }
    out += c;
  }
  return out;
}

function variable(name: string, r: TransferResult): string {
  const res = r.response;
  const t = res?.timings;
  const conn = res?.connection.info;
  switch (name) {
    case 'http_code':
    case 'response_code':
      return String(res?.status ?? 0).padStart(3, '0');
    case 'http_version':
      return res?.httpVersion ?? '0';
    case 'method':
      return r.method;
    case 'url_effective':
    case 'url':
      return r.urlEffective;
    case 'redirect_url': {
      const loc = res?.headers.get('location');
      if (loc === undefined || res === undefined) return '';
      try {
        return new URL(loc, res.url).href;
      } catch {
        return '';
      }
    }
    case 'content_type':
      return res?.headers.get('content-type') ?? '';
    case 'time_namelookup':
      return seconds(t?.lookup ?? 0);
    case 'time_connect':
      return seconds(t?.connect ?? 0);
    case 'time_appconnect':
      return seconds(t?.tls ?? 0);
    case 'time_pretransfer':
      return seconds(Math.max(t?.tls ?? 0, t?.connect ?? 0));
    case 'time_starttransfer':
      return seconds(t?.firstByte ?? 0);
    case 'time_total':
      return seconds(t?.total ?? 0);
    case 'size_download':
      return String(r.sizeDownload);
    case 'size_upload':
      return String(r.sizeUpload);
    case 'size_header':
      return String(r.sizeHeader);
    case 'size_request':
      return String(r.sizeRequest);
    case 'speed_download':
      return String(t === undefined || t.total === 0 ? 0 : Math.round(r.sizeDownload / (t.total / 1000)));
    case 'num_connects':
      return String(r.numConnects);
    case 'num_redirects':
      return String(r.numRedirects);
    case 'remote_ip':
      return conn?.remoteAddress ?? '';
    case 'remote_port':
      return conn === undefined ? '' : String(conn.remotePort);
    case 'local_ip':
      return conn?.localAddress ?? '';
    case 'local_port':
      return conn === undefined ? '' : String(conn.localPort);
    case 'scheme':
      return r.urlEffective.startsWith('https:') ? 'HTTPS' : 'HTTP';
    case 'exitcode':
      return String(r.exitCode);
    case 'errormsg':
      return r.errorMessage;
    case 'connection_id':
      return res === undefined ? '' : String(res.connection.id);
    case 'connection_reused':
      return res?.connection.reused === true ? '1' : '0';
    default:
      return '';
  }
}
