// Health checks that ask a service the way a node would: a DNS query, an HTTP GET, a TCP
// connect, an NTP client packet; and Kea, which cannot be asked by DHCP from its own host, over
// its control socket. Each resolves to an answer or throws with what went wrong.
import { createSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { request as httpRequest_ } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';

export async function dnsA(server: string, name: string): Promise<string[]> {
  const resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([server]);
  return resolver.resolve4(name);
}

export interface HttpOptions {
  method?: string;
  body?: Buffer;
  headers?: Record<string, string | number>;
  // user:password for Basic authentication.
  auth?: string;
  ca?: string;
  servername?: string;
  // HTTPS only; a BMC's self-signed certificate is accepted when the site says so.
  rejectUnauthorized?: boolean;
  timeoutMs?: number;
}

// One HTTP(S) request, the whole body read as text.
export function httpRequest(url: string, options: HttpOptions = {}): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest_;
  const timeoutMs = options.timeoutMs ?? 5000;
  return new Promise((resolve, reject) => {
    const req = request(
      u,
      {
        method: options.method ?? 'GET',
        timeout: timeoutMs,
        ...(options.headers ? { headers: options.headers } : {}),
        ...(options.auth ? { auth: options.auth } : {}),
        ...(options.ca ? { ca: options.ca } : {}),
        ...(options.servername ? { servername: options.servername } : {}),
        ...(options.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: options.rejectUnauthorized }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${u.host} in ${timeoutMs / 1000} s`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

export const httpGet = (url: string, options: Omit<HttpOptions, 'method' | 'body'> = {}) => httpRequest(url, options);

export function tcpOpen(host: string, port: number, timeoutMs = 3000): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new Error(`no answer on ${host}:${port}`));
    });
    socket.once('error', reject);
  });
}

// One command on Kea's control socket: Kea answers with one JSON object and closes.
export function keaCommand(socketPath: string, command: string, timeoutMs = 3000): Promise<Record<string, any>> {
  return new Promise((resolve, reject) => {
    const socket = connect({ path: socketPath, timeout: timeoutMs });
    const chunks: Buffer[] = [];
    socket.once('connect', () => socket.write(JSON.stringify({ command })));
    socket.on('data', (c) => chunks.push(c));
    socket.once('timeout', () => {
      socket.destroy();
      reject(new Error(`no answer to ${command} on ${socketPath} in ${timeoutMs} ms`));
    });
    socket.once('error', (err) => reject(new Error(`${socketPath}: ${err.message}`)));
    socket.once('end', () => {
      socket.destroy();
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        const answer = JSON.parse(text);
        if (typeof answer !== 'object' || answer === null) throw new Error('not an object');
        resolve(answer);
      } catch {
        reject(new Error(`${socketPath}: the answer to ${command} is not JSON: ${text.slice(0, 200)}`));
      }
    });
  });
}

// An SNTP client request (mode 3); a server answers mode 4 with a stratum.
export function ntpStratum(host: string, timeoutMs = 3000): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`no NTP answer from ${host} in ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('message', (msg) => {
      clearTimeout(timer);
      socket.close();
      if (msg.length < 48 || (msg[0]! & 0x7) !== 4)
        reject(new Error(`${host} sent something that is not an NTP server reply`));
      else resolve(msg[1]!);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      socket.close();
      reject(err);
    });
    const packet = Buffer.alloc(48);
    packet[0] = 0x1b; // LI 0, version 3, mode 3 (client)
    socket.send(packet, 123, host);
  });
}

// Polls until the check passes or the time is up; the last error explains the failure.
export async function until<T>(
  check: () => Promise<T>,
  timeoutMs: number,
  sleep: (ms: number) => Promise<void>,
  stepMs = 500,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() >= deadline) throw err;
      await sleep(stepMs);
    }
  }
}
