// Public surface of static/: the handler and the pure building blocks other layers may reuse.
export { createStaticHandler } from './handler.js';
export type { StaticOptions } from './options.js';
export { resolveSafePath, checkRealPath, isInside, PathError, type SafePath, type PathRefusal } from './safe-path.js';
export { parseRange, contentRange, unsatisfiedRange, type ByteRange, type RangeResult } from './range.js';
export { evaluatePreconditions, ifRangeAllows, makeEtag, parseEtagList, parseHttpDate, type Precondition, type Validators, type EntityTag } from './conditional.js';
export { negotiateEncoding, isCompressible, parseAcceptEncoding, type Coding } from './encoding.js';
export { contentTypeFor } from './mime.js';
export { renderListingHtml, renderListingJson, readListing, type ListingEntry, type ListingPage } from './listing.js';
