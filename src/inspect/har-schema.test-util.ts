/**
 * harProblems checks a parsed HAR document against the required fields and types of the HAR 1.2
 * spec (http://www.softwareishard.com/blog/har-12-spec/) and returns one line per problem (none when
 * valid). Optional fields are checked only for their type when present.
 */
export function harProblems(doc: unknown): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, where: string, what: string): void => void (ok || problems.push(`${where}: ${what}`));
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const str = (o: Record<string, unknown>, k: string, where: string, optional = false): void =>
    check((optional && o[k] === undefined) || typeof o[k] === 'string', `${where}.${k}`, 'string required');
  const num = (o: Record<string, unknown>, k: string, where: string, optional = false): void =>
    check((optional && o[k] === undefined) || (typeof o[k] === 'number' && Number.isFinite(o[k])), `${where}.${k}`, 'number required');
  const nameValues = (v: unknown, where: string, extra?: (o: Record<string, unknown>, w: string) => void): void => {
    check(Array.isArray(v), where, 'array required');
    if (!Array.isArray(v)) return;
    v.forEach((item, i) => {
      const w = `${where}[${i}]`;
      check(isObj(item), w, 'object required');
      if (!isObj(item)) return;
      str(item, 'name', w);
      str(item, 'value', w);
      extra?.(item, w);
    });
  };
  const cookie = (o: Record<string, unknown>, w: string): void => {
    str(o, 'path', w, true);
    str(o, 'domain', w, true);
    str(o, 'expires', w, true);
    check(o.httpOnly === undefined || typeof o.httpOnly === 'boolean', `${w}.httpOnly`, 'boolean');
    check(o.secure === undefined || typeof o.secure === 'boolean', `${w}.secure`, 'boolean');
  };
  if (!isObj(doc) || !isObj(doc.log)) return ['log: object required'];
  const log = doc.log;
  check(log.version === '1.2', 'log.version', "'1.2' required");
  check(isObj(log.creator) && typeof log.creator.name === 'string' && typeof log.creator.version === 'string', 'log.creator', 'name and version required');
  check(Array.isArray(log.entries), 'log.entries', 'array required');
  const entries = Array.isArray(log.entries) ? log.entries : [];
  entries.forEach((e: unknown, i: number) => {
    const w = `log.entries[${i}]`;
    if (!isObj(e)) return void problems.push(`${w}: object required`);
    str(e, 'startedDateTime', w);
    check(typeof e.startedDateTime === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(e.startedDateTime), `${w}.startedDateTime`, 'ISO 8601 required');
    num(e, 'time', w);
    str(e, 'serverIPAddress', w, true);
    str(e, 'connection', w, true);
    check(isObj(e.cache), `${w}.cache`, 'object required');
    const rq = e.request;
    if (!isObj(rq)) problems.push(`${w}.request: object required`);
    else {
      const r = `${w}.request`;
      for (const k of ['method', 'url', 'httpVersion']) str(rq, k, r);
      nameValues(rq.cookies, `${r}.cookies`, cookie);
      nameValues(rq.headers, `${r}.headers`);
      nameValues(rq.queryString, `${r}.queryString`);
      num(rq, 'headersSize', r);
      num(rq, 'bodySize', r);
      if (rq.postData !== undefined) {
        const pd = rq.postData;
        check(isObj(pd), `${r}.postData`, 'object required');
        if (isObj(pd)) {
          str(pd, 'mimeType', `${r}.postData`);
          check(pd.text === undefined || typeof pd.text === 'string', `${r}.postData.text`, 'string');
          if (pd.params !== undefined) nameValues(pd.params, `${r}.postData.params`);
          check(pd.text === undefined || pd.params === undefined, `${r}.postData`, 'text and params are mutually exclusive');
        }
      }
    }
    const rs = e.response;
    if (!isObj(rs)) problems.push(`${w}.response: object required`);
    else {
      const r = `${w}.response`;
      num(rs, 'status', r);
      for (const k of ['statusText', 'httpVersion', 'redirectURL']) str(rs, k, r);
      nameValues(rs.cookies, `${r}.cookies`, cookie);
      nameValues(rs.headers, `${r}.headers`);
      num(rs, 'headersSize', r);
      num(rs, 'bodySize', r);
      const c = rs.content;
      if (!isObj(c)) problems.push(`${r}.content: object required`);
      else {
        num(c, 'size', `${r}.content`);
        str(c, 'mimeType', `${r}.content`);
        str(c, 'text', `${r}.content`, true);
        str(c, 'encoding', `${r}.content`, true);
      }
    }
    const t = e.timings;
    if (!isObj(t)) problems.push(`${w}.timings: object required`);
    else {
      for (const k of ['send', 'wait', 'receive']) check(typeof t[k] === 'number' && (t[k] as number) >= 0, `${w}.timings.${k}`, 'non-negative number required');
      for (const k of ['blocked', 'dns', 'connect', 'ssl']) check(t[k] === undefined || (typeof t[k] === 'number' && ((t[k] as number) >= 0 || t[k] === -1)), `${w}.timings.${k}`, 'number >= 0 or -1');
    }
  });
  return problems;
}
