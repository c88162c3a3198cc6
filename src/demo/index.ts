// `partyline demo`: the first five minutes — a server, three virtual phones and one scripted call.
export { registerDemo } from './command.js';
export type { DemoOptions } from './run-demo.js';
