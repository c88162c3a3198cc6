// The web console (issue 11 §4): its files for the server to serve at /console, and its build.
// The page's own code (browser, DOM) is under web/, bundled by bundle.ts.
export { consoleAssets, bundledAssets, builtAssets } from './assets.js';
export { bundleConsole, writeConsole, CONSOLE_FILES } from './bundle.js';
