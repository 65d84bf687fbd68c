// A URL fit for an admin page: credentials in the userinfo and the query string (where API keys
// tend to hide) are masked; scheme, host and path stay so operators can tell endpoints apart.
export function redactUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return '[unparseable url]';
  }
  if (url.username !== '' || url.password !== '') {
    url.username = 'redacted';
    url.password = '';
  }
  const query = url.search === '' ? '' : '?[redacted]';
  url.search = '';
  url.hash = '';
  return `${url.toString()}${query}`;
}
