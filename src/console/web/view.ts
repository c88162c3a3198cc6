/**
 * One call on the page: its members (role, state, muted/held, talking,
 * time in call) with a button for every member action, the node actions
 * (add a user, warm / cold transfer) from one of its agents, the event
 * history, and the recording once there is one. The card is made once per
 * call and updated in place, so what a person is typing survives updates.
 */
import { isLiveMember, elapsed, type BoardCall, type BoardMember } from './board.js';
import { h } from './dom.js';

/** What a card asks the console to do; each rejects with the server's error. */
export interface CallCardActions {
  member(call: BoardCall, member: BoardMember, action: string): Promise<void>;
  node(
    call: BoardCall,
    action: 'call' | 'warm_transfer' | 'cold_transfer',
    trigger: string,
    to: string,
    role: string,
  ): Promise<void>;
  history(call: BoardCall): Promise<void>;
  recording(call: BoardCall): Promise<Blob>;
}

const MEMBER_ACTIONS: readonly {
  action: string;
  label: string;
  when?: (m: BoardMember) => boolean;
}[] = [
  { action: 'hold', label: 'Hold', when: (m) => !m.held },
  { action: 'unhold', label: 'Unhold', when: (m) => m.held },
  { action: 'mute', label: 'Mute', when: (m) => !m.muted },
  { action: 'unmute', label: 'Unmute', when: (m) => m.muted },
  { action: 'hangup', label: 'Hang up' },
  { action: 'resume_call', label: 'Resume' },
  { action: 'abort_transfer', label: 'Abort transfer' },
  { action: 'voicemail_drop', label: 'Voicemail drop' },
  // A supervisor's modes (heard by the agents / by all / by nobody).
  { action: 'coach', label: 'Coach', when: (m) => m.role === 'supervisor' },
  { action: 'barge', label: 'Barge', when: (m) => m.role === 'supervisor' },
  { action: 'listen', label: 'Listen', when: (m) => m.role === 'supervisor' },
];

export class CallCard {
  readonly el: HTMLElement;
  private readonly head = h('div', { class: 'call-head' });
  private readonly rows = h('tbody');
  private readonly error = h('p', { class: 'error', role: 'alert' });
  private readonly trigger = h('select', { name: 'trigger', 'aria-label': 'From agent' });
  private readonly to = h('input', {
    name: 'to',
    placeholder: 'sip:user@host or +number',
    size: '28',
  });
  private readonly role = h(
    'select',
    { name: 'role', 'aria-label': 'Role' },
    h('option', { value: 'agent' }, 'agent'),
    h('option', { value: 'customer' }, 'customer'),
    h('option', { value: 'supervisor' }, 'supervisor'),
  );
  private readonly events = h('ol', { class: 'events' });
  private readonly player = h('div', { class: 'recording' });
  private readonly memberRows = new Map<
    string,
    { tr: HTMLElement; cells: HTMLElement[]; dot: HTMLElement; shown: string[] }
  >();
  private historyLoaded = false;
  private recordingShown = false;

  constructor(
    private call: BoardCall,
    private readonly actions: CallCardActions,
  ) {
    const history = h('details', {}, h('summary', {}, 'Event history'), this.events);
    history.addEventListener('toggle', () => {
      if ((history as HTMLDetailsElement).open && !this.historyLoaded) {
        this.historyLoaded = true;
        void this.run(() => this.actions.history(this.call));
      }
    });
    const nodeButton = (label: string, action: 'call' | 'warm_transfer' | 'cold_transfer') =>
      h(
        'button',
        { type: 'button', 'data-action': action, onclick: () => this.nodeAction(action) },
        label,
      );
    this.el = h(
      'article',
      { class: 'call', 'data-call-id': call.call_id },
      this.head,
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...['', 'Member', 'Role', 'State', 'Muted', 'Held', 'In call', 'Actions'].map((t) =>
              h('th', {}, t),
            ),
          ),
        ),
        this.rows,
      ),
      h(
        'div',
        { class: 'call-actions' },
        h('span', {}, 'From'),
        this.trigger,
        h('span', {}, 'to'),
        this.to,
        this.role,
        nodeButton('Add user', 'call'),
        nodeButton('Warm transfer', 'warm_transfer'),
        nodeButton('Cold transfer', 'cold_transfer'),
      ),
      this.error,
      history,
      this.player,
    );
    this.update(call);
  }

  update(call: BoardCall): void {
    this.call = call;
    this.el.classList.toggle('ended', call.state === 'ended');
    this.head.replaceChildren(
      ...[
        h('strong', {}, `Call ${call.call_id.slice(0, 8)}`),
        h('span', { class: 'call-state' }, call.state),
        call.started_on
          ? h('span', {}, 'since ', h('span', { 'data-since': call.started_on }))
          : null,
        call.end_reason ? h('span', { class: 'muted-text' }, `ended: ${call.end_reason}`) : null,
      ].filter((c) => c !== null),
    );
    const members = [...call.members].sort(
      (a, b) => Number(isLiveMember(b)) - Number(isLiveMember(a)),
    );
    const rows = members.map((m) => this.row(call, m));
    // Rows are moved only when the order changes (a move would cancel a click on them).
    if (
      rows.some((row, i) => this.rows.children[i] !== row) ||
      this.rows.children.length !== rows.length
    )
      this.rows.replaceChildren(...rows);
    this.updateTriggers(call);
    this.renderEvents(call);
    this.tick(new Date());
    if (!this.recordingShown && call.events.some((e) => e.type === 'recording.ready'))
      this.offerRecording();
  }

  /** Every second: the time-in-call counters (no request). */
  tick(now: Date): void {
    for (const el of this.el.querySelectorAll<HTMLElement>('[data-since]'))
      el.textContent = elapsed(el.dataset.since!, now);
  }

  /**
   * A member's row, made once and updated cell by cell: an element is
   * replaced only when what it shows changes, so a click is never lost to
   * a re-render (talking indicators change several times a second).
   */
  private row(call: BoardCall, m: BoardMember): HTMLElement {
    let r = this.memberRows.get(m.member_id);
    if (!r) {
      const cells = Array.from({ length: 8 }, () => h('td'));
      cells[1].className = 'address';
      cells[2].className = 'role';
      cells[4].className = 'muted';
      cells[5].className = 'held';
      cells[7].className = 'actions';
      const dot = h('span', { class: 'talking' });
      cells[0].append(dot);
      r = { tr: h('tr', { 'data-member-id': m.member_id }, ...cells), cells, dot, shown: [] };
      this.memberRows.set(m.member_id, r);
    }
    const talking = call.talking.has(m.member_id);
    r.dot.className = talking ? 'talking on' : 'talking';
    r.dot.title = talking ? 'talking' : 'quiet';
    r.dot.dataset.talking = String(talking);
    r.tr.dataset.address = m.address;
    r.tr.dataset.state = m.state;
    const live = isLiveMember(m);
    const actions =
      live && call.state !== 'ended' ? MEMBER_ACTIONS.filter((a) => !a.when || a.when(m)) : [];
    const contents: [string, () => (Node | string)[]][] = [
      [m.address, () => [m.address]],
      [m.role, () => [m.role]],
      [m.state, () => [h('span', { class: `state state-${m.state}` }, m.state.replace('_', ' '))]],
      [String(m.muted), () => [m.muted ? 'yes' : '—']],
      [String(m.held), () => [m.held ? 'yes' : '—']],
      [
        `${live}|${m.joined_on}|${m.hangup_cause}`,
        () => [
          m.joined_on && live ? h('span', { 'data-since': m.joined_on }) : (m.hangup_cause ?? ''),
        ],
      ],
      [
        actions.map((a) => a.action).join(),
        () =>
          actions.map((a) =>
            h(
              'button',
              {
                type: 'button',
                'data-action': a.action,
                onclick: () => this.memberAction(m, a.action),
              },
              a.label,
            ),
          ),
      ],
    ];
    contents.forEach(([key, make], i) => {
      if (r.shown[i] === key) return;
      r.shown[i] = key;
      r.cells[i + 1].replaceChildren(...make());
    });
    return r.tr;
  }

  private updateTriggers(call: BoardCall): void {
    const agents = call.members.filter((m) => isLiveMember(m) && m.role !== 'customer');
    const shown = [...this.trigger.options].map((o) => o.value);
    // Unchanged: left alone, so an open list or a choice being made is not disturbed.
    if (shown.join() === agents.map((m) => m.address).join()) return;
    const current = this.trigger.value;
    this.trigger.replaceChildren(
      ...agents.map((m) => h('option', { value: m.address }, m.address)),
    );
    if (agents.some((m) => m.address === current)) this.trigger.value = current;
  }

  private renderEvents(call: BoardCall): void {
    this.events.replaceChildren(
      ...call.events.map((e) => {
        const who = e.member_id
          ? call.members.find((m) => m.member_id === e.member_id)?.address
          : null;
        const data = Object.keys(e.data).length ? ` ${JSON.stringify(e.data)}` : '';
        return h(
          'li',
          { 'data-type': e.type },
          `${e.at.slice(11, 23)} ${e.type}${who ? ` ${who}` : ''}${data}`,
        );
      }),
    );
  }

  private offerRecording(): void {
    this.recordingShown = true;
    this.player.replaceChildren(
      h(
        'button',
        {
          type: 'button',
          'data-action': 'recording',
          onclick: () =>
            void this.run(async () => {
              const blob = await this.actions.recording(this.call);
              const audio = h('audio', { controls: true });
              audio.src = URL.createObjectURL(blob);
              this.player.replaceChildren(h('span', {}, 'Recording'), audio);
            }),
        },
        'Play recording',
      ),
    );
  }

  private memberAction(m: BoardMember, action: string): void {
    void this.run(() => this.actions.member(this.call, m, action));
  }

  private nodeAction(action: 'call' | 'warm_transfer' | 'cold_transfer'): void {
    void this.run(() =>
      this.actions.node(
        this.call,
        action,
        this.trigger.value,
        this.to.value.trim(),
        this.role.value,
      ),
    );
  }

  /** Shows the server's error message when it says no; clears it when it says yes. */
  private async run(task: () => Promise<unknown>): Promise<void> {
    this.error.textContent = '';
    try {
      await task();
    } catch (err) {
      this.error.textContent = err instanceof Error ? err.message : String(err);
    }
  }
}
