/**
 * The one transfer a call may have pending (DESIGN.md §2), as explicit
 * states. U1 started it (trigger_source), U2 are the others at the time,
 * U3 is the target (`to`).
 *
 *   warm  dialing ──U3 answers──▶ consulting ──U1 leaves──▶ (completed: U3 joins U2)
 *           │   └──U1 leaves──▶ cold dialing              ├─resume_call──▶ (all three talk)
 *           └──U3 fails / abort──▶ (U2 back with U1)      └─abort / U3 leaves──▶ (U2 back with U1)
 *   cold  dialing ──U3 answers──▶ (completed: U3 joins U2)
 *           └──U3 fails──▶ the node's failure policy (announcement, then end or go on)
 */
export type TransferKind = 'warm' | 'cold';
export type TransferPhase = 'dialing' | 'consulting';

export interface Transfer {
  kind: TransferKind;
  phase: TransferPhase;
  /** Member ids. */
  u1: string;
  u3: string;
  u2: string[];
  /** The request that started it (its api_id), for the events. */
  apiId: string;
}
