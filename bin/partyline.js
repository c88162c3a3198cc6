#!/usr/bin/env node
// Installed entry point: runs the compiled CLI (npm run build first).
await import('../dist/main.js');
