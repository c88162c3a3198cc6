// CONTRACT (to be implemented by the message-layer work): parse/format of header values.
import type { CSeq, NameAddr, Via } from './types.js';
export declare function parseVia(value: string): Via;
export declare function formatVia(via: Via): string;
export declare function parseNameAddr(value: string): NameAddr;
export declare function formatNameAddr(na: NameAddr): string;
export declare function parseCSeq(value: string): CSeq;
export declare function formatCSeq(c: CSeq): string;
