/**
 * Error boundaries between rooms (gopacket's DecodingLayerParser recovers a panic in a layer into
 * an error: `panicToError`). Hostile input must never turn into an exception that crosses a room:
 * each room's entry catches what escapes it, counts it here by room, and the run goes on with the
 * next packet / message / record. A fault is a bug met by odd input, so the first of each room is
 * kept (with its stack) for the report; the counts go to the summary and --metrics.
 */

export type Room = 'capture' | 'net' | 'tracker' | 'detect' | 'output';

/** An exception caught at a room's entry: which room, and what was thrown. */
export class RoomFault extends Error {
  readonly room: Room;
  override readonly cause: unknown;

  constructor(room: Room, cause: unknown) {
    super(`${room}: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}`);
    this.name = 'RoomFault';
    this.room = room;
    this.cause = cause;
  }
}

export class RoomFaults {
  /** faults by room (rooms without any are absent) */
  readonly byRoom = new Map<Room, number>();
  /** the first fault of each room */
  readonly first = new Map<Room, RoomFault>();

  record(room: Room, cause: unknown): RoomFault {
    const f = new RoomFault(room, cause);
    this.byRoom.set(room, (this.byRoom.get(room) ?? 0) + 1);
    if (!this.first.has(room)) this.first.set(room, f);
    return f;
  }

  get total(): number {
    let n = 0;
    for (const v of this.byRoom.values()) n += v;
    return n;
  }
}
