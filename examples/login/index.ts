// The login example: what the demo site mounts at /login.
export { createLoginApp, mountLogin, type LoginAppOptions } from './login.js';
export { checkPassword, DEMO_USER } from './users.js';
