// Min SIP service worker. It keeps the app's own static files (CSS, scripts,
// icons) and a page that says "you are offline". A page with a child's data is
// kept only when the person chose "Keep my plan on this phone" on this device
// (issue 14): then the cache KEPT + their key exists (offline.js makes and wipes
// it) and the family pages they open are kept there, shown offline as "Sparad".
const CACHE = "min-sip-static-{{ version }}";
const KEPT = "min-sip-kept-";
const ASSETS = {{ assets|tojson }};
const OFFLINE = "{{ url_for('main.offline') }}";

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll([...ASSETS, OFFLINE])));
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((keys) =>
      Promise.all(keys.filter((key) => key !== CACHE && !key.startsWith(KEPT))
        .map((key) => caches.delete(key))))
  );
  self.clients.claim();
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) { return; }
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  } else if (request.mode === "navigate") {
    event.respondWith(navigate(event));
  }
});

async function keptNames() {
  return (await caches.keys()).filter((key) => key.startsWith(KEPT));
}

async function wipeKept() {
  await Promise.all((await keptNames()).map((key) => caches.delete(key)));
}

// Which person's page this is, if it is one to keep: the markers base.html and the
// plan layout put on <body>. Read from the page because a family page carries no
// header that says so.
async function keepFor(response) {
  const type = response.headers.get("Content-Type") || "";
  if (!response.ok || response.redirected || !type.startsWith("text/html")) { return null; }
  const html = await response.clone().text();
  const body = /<body\b[^>]*>/.exec(html);
  if (!body || !/\sdata-keep-offline[\s>]/.test(body[0])) { return null; }
  const person = /\sdata-person="([0-9a-f]+)"/.exec(body[0]);
  return person ? { person: person[1], html } : null;
}

async function keep(request, response) {
  const names = await keptNames();
  if (!names.length) { return; }
  // The session ended, or this page is no longer theirs: nothing kept stays.
  if (response.type === "opaqueredirect" || [401, 403, 404, 410].includes(response.status)) {
    const held = await Promise.all(names.map(async (name) => (await caches.open(name)).match(request.url, { ignoreVary: true })));
    if (held.some(Boolean)) { await wipeKept(); }
    return;
  }
  const page = await keepFor(response);
  if (!page) { return; }
  const name = KEPT + page.person;
  // Only the person who chose it, and nobody else next to them.
  await Promise.all(names.filter((key) => key !== name).map((key) => caches.delete(key)));
  if (!names.includes(name)) { return; }
  const headers = new Headers(response.headers);
  headers.set("X-Kept-At", new Date().toISOString());
  headers.delete("Vary"); // the copy is this person's whatever the request says
  const cache = await caches.open(name);
  await cache.put(request.url, new Response(page.html, { status: 200, headers }));
}

// A kept page, with the time it was kept filled into the note base.html holds.
async function kept(request) {
  for (const name of await keptNames()) {
    const hit = await (await caches.open(name)).match(request.url, { ignoreVary: true });
    if (hit) {
      const at = hit.headers.get("X-Kept-At") || "";
      const html = (await hit.text()).replace('data-kept-at=""', `data-kept-at="${at}"`);
      return new Response(html, { status: 200, headers: hit.headers });
    }
  }
  return null;
}

async function navigate(event) {
  const request = event.request;
  let response;
  try {
    response = await fetch(request);
  } catch (error) {
    return (await kept(request)) || caches.match(OFFLINE);
  }
  // Keeping must never delay or break the page itself.
  const work = keep(request, response.clone()).catch(() => {});
  event.waitUntil(work);
  return response.ok ? response : work.then(() => response);
}

// Web Push (issue 13). The server sends {title, body, url, tag, lang, dir, icon}:
// general words only ("Det finns nytt i planen"), never what happened. A payload
// this worker cannot read still shows a notice (a browser must show one for every
// push), with general words the server put here in the person's language.
const FALLBACK = {
  title: {{ _("Min SIP")|tojson }},
  body: {{ _("Det finns nytt i Min SIP.")|tojson }},
};
const ICON = "{{ url_for('static', filename='icons/app-192.png') }}";

// Only a path on our own origin is ever opened; anything else opens the notices page.
function samePath(value) {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//")) {
    return "{{ url_for('account.notifications') }}";
  }
  try {
    const url = new URL(value, self.location.origin);
    if (url.origin === self.location.origin) { return url.pathname + url.search + url.hash; }
  } catch (error) { /* not a URL */ }
  return "{{ url_for('account.notifications') }}";
}

function text(value, fallback) {
  return typeof value === "string" && value.trim() ? value.slice(0, 300) : fallback;
}

self.addEventListener("push", (event) => {
  let data = {};
  try { data = (event.data && event.data.json()) || {}; } catch (error) { data = {}; }
  if (typeof data !== "object" || data === null) { data = {}; }
  const options = {
    body: text(data.body, FALLBACK.body),
    tag: text(data.tag, "min-sip"),
    icon: ICON,
    data: { url: samePath(data.url) },
  };
  if (typeof data.lang === "string") { options.lang = data.lang; }
  if (data.dir === "rtl" || data.dir === "ltr") { options.dir = data.dir; }
  event.waitUntil(self.registration.showNotification(text(data.title, FALLBACK.title), options));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const path = samePath((event.notification.data || {}).url);
  const target = new URL(path, self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const open = windows.find((client) => client.url === target && "focus" in client);
      if (open) { return open.focus(); }
      // A new window rather than steering one already open: that one may hold
      // text being written.
      return self.clients.openWindow(target);
    })
  );
});
