// Public surface of app/: the Flask-like framework.
export { App, type AppOptions, type RouteHandler, type RouteOptions, type Method, type HandlerResult } from './app.js';
export { AppRequest } from './request.js';
export { AppResponse, html, json, text, redirect, sendFile, abort, type RedirectStatus as AppRedirectStatus, type FileBody } from './response.js';
export { MultiMap, DEFAULT_FORM_LIMITS, type FormLimits, type UploadedFile } from './forms.js';
export { serializeCookie, parseCookies } from './cookies.js';
export { escapeHtml, wantsJson } from './errors.js';
export { MountedRequest } from './mount.js';
export { compilePattern, Router, buildPath, type Params, type ParamNames } from './router.js';
export type { Session, SessionMiddleware, CookieAttributes } from './session-types.js';
export { createSessions, createStoreFromUrl, createRedisStore, MemoryStore, RedisStore, ServerSession, SessionStoreError, type SessionOptions, type SessionStore, type SessionData, type Flash } from './session/index.js';
