// Min SIP service worker. It keeps only the app's own static files (CSS, scripts,
// icons) and a page that says "you are offline". It never stores a page with a
// child's data: those are fetched from the network every time.
const CACHE = "min-sip-static-{{ version }}";
const ASSETS = {{ assets|tojson }};
const OFFLINE = "{{ url_for('main.offline') }}";

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll([...ASSETS, OFFLINE])));
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((keys) =>
      Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
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
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE)));
  }
});

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
