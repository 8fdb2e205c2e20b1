/**
 * STATUS_TEXT names the statuses static/ answers with. Kept here rather than imported from wire/ so
 * the error pages do not depend on a module still being written; the engine's own reason phrases
 * (wire STATUS_REASONS) remain what goes on the status line.
 */
export const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  507: 'Insufficient Storage',
};
