import { App, redirect, type AppOptions } from '../../src/index.js';
import { sourceFolder } from './source-folder.js';

/**
 * The networking course's Flask assignment on wirehttp: `/` links the two forms; `/test_get` is a
 * form sent with GET, whose value `/get?test=VALUE` shows; `/test_post` is a form sent with POST,
 * whose value `/post` shows. Values are printed through templates, so they are HTML-escaped.
 */
export function createLabApp(options: AppOptions = {}): App {
  const app = new App({ templates: sourceFolder(import.meta.url, 'examples/lab', 'templates'), ...options });

  app.get('/', (req) => req.render('index.html'), { name: 'index' });

  app.get('/test_get', (req) => req.render('test_get.html'), { name: 'test_get' });

  app.get('/get', (req) => req.render('result.html', { method: 'GET', value: req.args.get('test') }), { name: 'get' });

  app.get('/test_post', (req) => req.render('test_post.html'), { name: 'test_post' });

  app.post('/post', (req) => req.render('result.html', { method: 'POST', value: req.form.get('test') }), { name: 'post' });

  // Typing /post in the address bar sends a GET: send the student to the form instead of a bare 405.
  app.get('/post', (req) => redirect(req.urlFor('test_post'), 303));

  return app;
}
