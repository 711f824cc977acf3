// The service worker: keeps the app's own files for a quick start and offline sign-in page.
// Pages and the API always go to the network first, so nothing private is cached.
const CACHE = "os1-v4";
const SHELL = [
  "/static/style.css",
  "/static/api.js",
  "/static/app.js",
  "/static/login.js",
  "/static/memories.js",
  "/static/pages.js",
  "/static/voice.js",
  "/static/camera.js",
  "/static/handsfree.js",
  "/static/mic-worklet.js",
  "/static/icon.svg",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)));
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k)))),
  );
  self.clients.claim();
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (!url.pathname.startsWith("/static/")) return;
  event.respondWith(
    fetch(event.request)
      .then((answer) => {
        const copy = answer.clone();
        caches.open(CACHE).then((cache) => cache.put(event.request, copy));
        return answer;
      })
      .catch(() => caches.match(event.request)),
  );
});
