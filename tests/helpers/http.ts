// Small HTTP clients for tests: a bearer client, and a browser-like session client with a cookie jar.
export interface Res<T = any> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

async function toRes(r: Response): Promise<Res> {
  const text = await r.text();
  let body: unknown = text;
  if ((r.headers.get('content-type') ?? '').includes('json')) {
    try {
      body = JSON.parse(text);
    } catch {
      /* leave as text */
    }
  }
  return { status: r.status, body, headers: r.headers, text };
}

export function bearer(base: string, token?: string) {
  const h = (extra: Record<string, string> = {}) => ({
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...extra,
  });
  return {
    get: (p: string) => fetch(base + p, { headers: h() }).then(toRes),
    post: (p: string, json: unknown) =>
      fetch(base + p, {
        method: 'POST',
        headers: h({ 'content-type': 'application/json' }),
        body: JSON.stringify(json),
      }).then(toRes),
    patch: (p: string, json: unknown) =>
      fetch(base + p, {
        method: 'PATCH',
        headers: h({ 'content-type': 'application/json' }),
        body: JSON.stringify(json),
      }).then(toRes),
    delete: (p: string) => fetch(base + p, { method: 'DELETE', headers: h() }).then(toRes),
    form: (p: string, form: FormData) => fetch(base + p, { method: 'POST', headers: h(), body: form }).then(toRes),
    raw: (p: string, init: RequestInit) =>
      fetch(base + p, { ...init, headers: { ...h(), ...(init.headers as Record<string, string>) } }).then(toRes),
  };
}

/** `headers` go with every request (an Origin, or X-Forwarded-For to appear from another address). */
export function browser(base: string, opts: { headers?: Record<string, string> } = {}) {
  const jar = new Map<string, string>();
  let csrf: string | undefined;
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const send = async (p: string, init: RequestInit = {}) => {
    const headers = { ...opts.headers, cookie: cookie(), ...(init.headers as Record<string, string>) };
    const r = await fetch(base + p, { ...init, redirect: 'manual', headers });
    for (const c of r.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      const value = pair!.slice(i + 1);
      if (/expires=Thu, 01 Jan 1970/i.test(c) || value === '') jar.delete(pair!.slice(0, i));
      else jar.set(pair!.slice(0, i), value);
    }
    return toRes(r);
  };
  const withCsrf = (extra: Record<string, string> = {}) => ({ ...(csrf ? { 'x-csrf-token': csrf } : {}), ...extra });
  return {
    jar,
    async login(username: string, password: string) {
      const r = await send('/api/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
      if (r.status === 200) csrf = (await send('/api/auth/csrf')).body.token;
      return r;
    },
    /**
     * Signs in as the commission pages do: the password, then for commission and admin users the authenticator's
     * code (a full session), answering with the last step's response.
     */
    async signIn(u: { username: string; password: string; authenticator?: { code(): Promise<string> } }) {
      const r = await this.login(u.username, u.password);
      if (r.status !== 200 || !r.body.secondFactor) return r;
      if (!u.authenticator) throw new Error(`${u.username} must ${r.body.secondFactor} a second factor`);
      const v = await send('/api/auth/second-factor/verify', {
        method: 'POST',
        headers: withCsrf({ 'content-type': 'application/json' }),
        body: JSON.stringify({ code: await u.authenticator.code() }),
      });
      if (v.status === 200) csrf = (await send('/api/auth/csrf')).body.token;
      return v;
    },
    setCsrf(token: string | undefined) {
      csrf = token;
    },
    get: (p: string) => send(p),
    post: (p: string, json: unknown, opts: { csrf?: boolean } = {}) =>
      send(p, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(opts.csrf === false ? {} : withCsrf()) },
        body: JSON.stringify(json),
      }),
    patch: (p: string, json: unknown) =>
      send(p, {
        method: 'PATCH',
        headers: withCsrf({ 'content-type': 'application/json' }),
        body: JSON.stringify(json),
      }),
    put: (p: string, json: unknown, opts: { csrf?: boolean } = {}) =>
      send(p, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', ...(opts.csrf === false ? {} : withCsrf()) },
        body: JSON.stringify(json),
      }),
    delete: (p: string) => send(p, { method: 'DELETE', headers: withCsrf() }),
    form: (p: string, form: FormData, opts: { csrf?: boolean } = {}) =>
      send(p, { method: 'POST', headers: opts.csrf === false ? {} : withCsrf(), body: form }),
  };
}
