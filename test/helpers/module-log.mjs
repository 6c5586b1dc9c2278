// Loaded with `node --import`: Node's hooks log every module file loaded, one
// "fyr-loaded: URL" line each on stderr (a bundle's chunks too, which NODE_DEBUG=module, for
// CommonJS only, does not name).
import { register } from 'node:module';

const hooks = `export async function load(url, context, next) {
  if (url.startsWith('file:')) process.stderr.write('fyr-loaded: ' + url + '\\n');
  return next(url, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
