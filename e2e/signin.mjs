// A person signing in at the OAuth server (oidc-provider's login and
// consent pages), as plain HTTP with a cookie jar. Returns the loopback
// callback URL the browser would be sent to.

export async function signIn(authorizationUrl) {
  const jar = new Map();
  const cookies = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const keep = (response) => {
    for (const cookie of response.headers.getSetCookie()) {
      const [pair, ...attributes] = cookie.split(";");
      const at = pair.indexOf("=");
      const name = pair.slice(0, at).trim();
      const expired = attributes.some((a) => /expires=.*1970/i.test(a) || /max-age=0/i.test(a));
      if (expired) jar.delete(name);
      else jar.set(name, pair.slice(at + 1));
    }
  };
  let url = authorizationUrl;
  for (let step = 0; step < 16; step++) {
    const response = await fetch(url, { redirect: "manual", headers: { cookie: cookies() } });
    keep(response);
    const location = response.headers.get("location");
    if (location) {
      const next = new URL(location, url);
      if (next.hostname === "127.0.0.1" && next.pathname.startsWith("/callback/")) return next.toString();
      url = next.toString();
      continue;
    }
    const page = await response.text();
    const form = page.includes('name="login"') ? "prompt=login&login=alice&password=any" : "prompt=consent";
    const submitted = await fetch(url, {
      method: "POST",
      redirect: "manual",
      headers: { cookie: cookies(), "content-type": "application/x-www-form-urlencoded" },
      body: form,
    });
    keep(submitted);
    url = new URL(submitted.headers.get("location"), url).toString();
  }
  throw new Error("the sign-in never reached the callback");
}
