#!/usr/bin/env -S node --v8-pool-size=1 --no-allocation-site-pretenuring --heap-growing-percent=300
// Installed entry point: runs the compiled CLI (npm run build first), with the V8
// settings of `npm start` (README "Running it": one GC helper thread, no
// allocation-site pretenuring, a heap growing factor of 4).
await import('../dist/main.js');
