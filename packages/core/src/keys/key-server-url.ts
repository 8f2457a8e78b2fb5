const LOOPBACK = new Set(['localhost', '[::1]']);
/** 127.0.0.0/8 as an IPv4 literal (never a DNS name that merely starts with "127."). */
const LOOPBACK_V4 = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/**
 * Whether `value` is an acceptable key-server URL: absolute https, or http on a loopback host
 * (local development and tests), or any http when `allowHttp`. No credentials, no fragment.
 */
export function checkKeyServerUrl(value: string, allowHttp: boolean): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.username !== '' || url.password !== '' || url.hash !== '') return false;
  if (url.protocol === 'https:') return true;
  if (url.protocol !== 'http:') return false;
  return allowHttp || LOOPBACK.has(url.hostname) || LOOPBACK_V4.test(url.hostname);
}
