#!/usr/bin/env -S node --v8-pool-size=1
// Installed entry point: runs the compiled CLI (npm run build first), with the V8
// thread pool of `npm start` (README "Running it": one GC helper thread).
await import('../dist/main.js');
