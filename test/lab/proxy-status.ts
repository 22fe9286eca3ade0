/** Ask a lab's apt proxy for `url` (an absolute-form proxy request); resolve the HTTP status. */
import { request } from 'node:http';

export function viaProxy(proxy: string, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: proxy, port: 3142, path: url, method: 'GET', headers: { host: new URL(url).host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}
