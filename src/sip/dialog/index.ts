// The dialog layer (RFC 3261 §12).
export { Dialog, dialogKey, type DialogInit, type DialogState } from './dialog.js';
