// memlab's service worker: after the first visit the app keeps working with the network
// gone (workshops on poor conference Wi-Fi).
//
// - Installing caches the app shell: index.html and every file it links (Trunk's file
//   names carry a content hash, so a cached file never goes stale), plus the bundled
//   recordings and lessons.
// - Page loads go to the network first (a new deployment shows at once) and fall back to
//   the cached index.html when the network fails or takes more than 4 s.
// - Other requests to this origin come from the cache, then the network (and are cached).
// - Requests to other origins (a Flink cluster's REST API) are never touched.
const CACHE = 'memlab-v1';
const NAVIGATION_TIMEOUT_MS = 4000;
// Every file in public/recordings (a test keeps this list complete).
const RECORDINGS = [
  'public/recordings/local-2tm.memlab.json',
  'public/recordings/heap-leak.memlab.json',
  'public/recordings/managed-idle.memlab.json',
  'public/recordings/rocksdb.memlab.json',
  'public/recordings/healthy.memlab.json',
  'public/recordings/metaspace.memlab.json',
  'public/recordings/tm-heap-oom.memlab.json',
  'public/recordings/job-heap-oom.memlab.json',
  'public/recordings/direct-oom.memlab.json',
  'public/recordings/metaspace-oom.memlab.json',
  'public/recordings/network-buffers.memlab.json',
  'public/recordings/tm-killed.memlab.json',
  'public/recordings/tm-idle-release.memlab.json',
  'public/recordings/job-cancel.memlab.json',
];

// Every lesson file (a test keeps this list complete too).
const LESSONS = [
  'public/lessons/lessons.txt',
  'public/lessons/01-pool-and-blocks.md',
  'public/lessons/02-reference-counting.md',
  'public/lessons/03-mark-sweep.md',
  'public/lessons/04-seed-10-20-30.md',
  'public/lessons/05-fragmentation-vs-pages.md',
  'public/lessons/06-flink-memory-model.md',
  'public/lessons/07-real-cluster-leak.md',
  'public/lessons/08-myths.md',
  'public/lessons/zh/01-pool-and-blocks.md',
  'public/lessons/zh/02-reference-counting.md',
  'public/lessons/zh/03-mark-sweep.md',
  'public/lessons/zh/04-seed-10-20-30.md',
  'public/lessons/zh/05-fragmentation-vs-pages.md',
  'public/lessons/zh/06-flink-memory-model.md',
  'public/lessons/zh/07-real-cluster-leak.md',
  'public/lessons/zh/08-myths.md',
];

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    const index = await fetch('./', { cache: 'no-cache' });
    const html = await index.clone().text();
    await cache.put('./', index);
    const linked = [...html.matchAll(/(?:href|src)="(\.\/[^"]+)"|module_or_path: '(\.\/[^']+)'/g)].map((m) => m[1] ?? m[2]);
    await cache.addAll([...new Set([...linked, ...RECORDINGS, ...LESSONS])]);
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key !== CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

function timeout(ms) {
  return new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), ms));
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (request.mode === 'navigate') {
    event.respondWith((async () => {
      try {
        const fresh = await Promise.race([fetch(request), timeout(NAVIGATION_TIMEOUT_MS)]);
        if (fresh.ok) (await caches.open(CACHE)).put('./', fresh.clone());
        return fresh;
      } catch {
        return (await caches.match('./')) ?? Response.error();
      }
    })());
    return;
  }
  event.respondWith((async () => {
    const hit = await caches.match(request, { ignoreSearch: true });
    if (hit) return hit;
    const fresh = await fetch(request);
    if (fresh.ok && url.pathname.startsWith(new URL('./', self.location).pathname)) {
      (await caches.open(CACHE)).put(request, fresh.clone());
    }
    return fresh;
  })());
});
