// `partyline demo`: the first five minutes — a server, three virtual phones and one scripted call.
export { registerDemo } from './command.js';
export { runDemo, type DemoOptions } from './run-demo.js';
