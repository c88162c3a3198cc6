/** Parse/format of the structured header values the stack reasons about (RFC 3261 §20). */
export { parseVia, formatVia } from './via.js';
export { parseNameAddr, formatNameAddr } from './name-addr.js';
export { parseCSeq, formatCSeq } from './cseq.js';
