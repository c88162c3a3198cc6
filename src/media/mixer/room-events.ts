/** What a room reports to the layers above (typed EventEmitter map). */

/**
 * Something below the room failed; the room caught it and kept running.
 * Reported once per run of failures (a port failing every tick is one
 * fault until it works again), counted in the stats every time.
 */
export interface RoomFault {
  kind:
    | 'port-read'
    | 'port-write'
    /** A source threw: it is silent from now on. */
    | 'source'
    /** The recorder threw from write(): the recording stopped. */
    | 'recorder'
    /** An event listener threw. */
    | 'listener';
  /** The member concerned, if any. */
  memberId: string | null;
  /** The source concerned, if any. */
  sourceName: string | null;
  error: unknown;
}

export interface SpeakingEvent {
  memberId: string;
}

export interface RoomEvents {
  'speaking-start': [SpeakingEvent];
  'speaking-stop': [SpeakingEvent];
  /** Deliberately not named 'error': an unhandled 'error' event would throw. */
  fault: [RoomFault];
  closed: [];
}

/** Where the room writes the mix of what is heard, one frame per tick (a WavRecorder fits). */
export interface RoomRecorder {
  /** `frame` is reused on the next tick: copy what must be kept. */
  write(frame: Int16Array): void;
  close(): Promise<unknown>;
}
