// Service worker of the observer app. The app shell is served cache-first (and refreshed in the background
// when the network answers), /api is always the network, and Background Sync delivers the outbox.
importScripts('/app/sync-core.js');

const SHELL_CACHE = 'observer-shell-v5';
const SHELL = [
  '/',
  '/index.html',
  '/manifest.webmanifest',
  '/shared/base.css',
  '/shared/i18n-core.js',
  '/shared/basemap.js',
  '/app/app.css',
  '/app/main.js',
  '/app/i18n.js',
  '/app/api.js',
  '/app/sync-core.js',
  '/app/form.js',
  '/app/places.js',
  '/app/map.js',
  '/app/mine.js',
  '/app/outbox.js',
  '/app/odk.js',
  '/app/draft.js',
  '/app/icon.svg',
  '/i18n/en.json',
  '/i18n/ar.json',
  '/map/libya.geojson',
  '/map/roads.geojson',
  '/map/places.json',
  // The coastline and neighbours drawn zoomed in (~30 KB compressed): picking a point offline needs them most.
  '/map/libya-coast.geojson',
  '/map/neighbours.geojson',
  '/vendor/leaflet/leaflet.js',
  '/vendor/leaflet/leaflet.css',
];
const SHELL_PATHS = new Set(SHELL);

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(SHELL_CACHE)
      .then((c) => c.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys())
        if (key.startsWith('observer-shell-') && key !== SHELL_CACHE) await caches.delete(key);
      await self.clients.claim();
    })(),
  );
});

async function shellFirst(request, key) {
  const cache = await caches.open(SHELL_CACHE);
  const cached = await cache.match(key);
  const refresh = fetch(request).then((res) => {
    if (res.ok) cache.put(key, res.clone());
    return res;
  });
  if (cached) {
    refresh.catch(() => {});
    return cached;
  }
  return refresh;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  // Only the observer app's own files: /api, /review/ and anything else go straight to the network.
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
  if (request.mode === 'navigate' && (url.pathname === '/' || url.pathname === '/index.html')) {
    event.respondWith(shellFirst(request, '/index.html'));
  } else if (SHELL_PATHS.has(url.pathname)) {
    event.respondWith(shellFirst(request, url.pathname));
  }
});

self.addEventListener('sync', (event) => {
  if (event.tag === 'observer-outbox') {
    // Rejecting tells the browser to retry the sync later, which is what a still-failing delivery needs.
    event.waitUntil(
      self.ObserverSync.flush({ force: true }).then((outcomes) => {
        if (Object.values(outcomes).some((o) => o.kind === 'retry')) throw new Error('outbox not yet delivered');
      }),
    );
  }
});
