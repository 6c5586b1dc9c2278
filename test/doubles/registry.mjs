// Stand-in for the registry container the podman double "runs": TLS with the certificate the
// agent made, /v2/ answers 401 with a Basic challenge, as docker.io/library/registry:2 does
// with htpasswd auth. Part of the podman TEST DOUBLE.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { join } from 'node:path';

const [certDir, port] = process.argv.slice(2);
const server = createServer(
  { cert: readFileSync(join(certDir, 'registry.crt')), key: readFileSync(join(certDir, 'registry.key')) },
  (req, res) => {
    res.setHeader('Docker-Distribution-Api-Version', 'registry/2.0');
    if (req.url === '/v2/' && !req.headers.authorization) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="fyr"' });
      res.end('{"errors":[{"code":"UNAUTHORIZED"}]}\n');
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}\n');
    }
  },
);
server.listen(Number(port), '0.0.0.0');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
