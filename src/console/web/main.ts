/**
 * The console page: sign in (the credentials stay in this page's memory),
 * list the account's PHLOs and their Multi-Party Call nodes, and follow
 * their live calls over the server's event stream (fetch() with the
 * Authorization header: sse.ts). Every button calls the public API through
 * @partyline/client, as any application would.
 */
import { PhloClient, type Phlo } from '@partyline/client';
import { CallBoard, type BoardCall } from './board.js';
import { byId, h } from './dom.js';
import { LiveStream } from './sse.js';
import { CallCard, type CallCardActions } from './view.js';

interface Session {
  client: PhloClient;
  authorization: string;
  stream: LiveStream;
  board: CallBoard;
  phlos: Phlo[];
  cards: Map<string, CallCard>;
  nodes: Map<string, HTMLElement>;
  ticker: number;
}

let session: Session | null = null;

/**
 * fetch() marked as a page's script (X-Requested-With): the server then
 * answers a 401 without a Basic challenge, which would make the browser
 * open its own login prompt.
 */
function pageFetch(input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('x-requested-with', 'XMLHttpRequest');
  return fetch(input, { ...init, headers });
}

const loginForm = byId<HTMLFormElement>('login');
const loginError = byId('login-error');
const boardEl = byId('board');
const boardError = byId('board-error');
const phlosEl = byId('phlos');
const statusEl = byId('status');
const logoutButton = byId<HTMLButtonElement>('logout');

loginForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const form = new FormData(loginForm);
  void signIn(String(form.get('auth_id')).trim(), String(form.get('auth_token')).trim());
});
logoutButton.addEventListener('click', signOut);
byId('refresh').addEventListener('click', () => void loadPhlos());

async function signIn(authId: string, authToken: string): Promise<void> {
  loginError.textContent = '';
  let client: PhloClient;
  let phlos: Phlo[];
  try {
    client = new PhloClient(authId, authToken, {
      baseUrl: location.origin,
      retries: 0,
      fetch: pageFetch,
    });
    phlos = await client.phlo.list();
  } catch (err) {
    loginError.textContent = err instanceof Error ? err.message : String(err);
    return;
  }
  const board = new CallBoard();
  const authorization = `Basic ${btoa(`${authId}:${authToken}`)}`;
  const stream = new LiveStream({
    url: `${location.origin}/v1/events/stream`,
    authorization,
    fetch: pageFetch,
    onFrame: (frame) => render(board.apply(frame)),
    onStatus: (connected) => setStatus(connected ? 'live' : 'reconnecting…', connected),
    onRefused: (err) => {
      boardError.textContent = `live updates stopped: ${err.message}`;
      setStatus('not live', false);
    },
  });
  session = {
    client,
    authorization,
    stream,
    board,
    phlos,
    cards: new Map(),
    nodes: new Map(),
    ticker: window.setInterval(() => {
      const now = new Date();
      for (const card of session?.cards.values() ?? []) card.tick(now);
    }, 1000),
  };
  loginForm.reset();
  loginForm.hidden = true;
  boardEl.hidden = false;
  logoutButton.hidden = false;
  document.body.dataset.signedIn = authId;
  renderPhlos();
  stream.start();
}

function signOut(): void {
  if (!session) return;
  session.stream.stop();
  window.clearInterval(session.ticker);
  session = null;
  phlosEl.replaceChildren();
  boardEl.hidden = true;
  loginForm.hidden = false;
  logoutButton.hidden = true;
  delete document.body.dataset.signedIn;
  setStatus('signed out', false);
}

function setStatus(text: string, live: boolean): void {
  statusEl.textContent = text;
  statusEl.classList.toggle('live', live);
}

async function loadPhlos(): Promise<void> {
  if (!session) return;
  boardError.textContent = '';
  try {
    session.phlos = await session.client.phlo.list();
  } catch (err) {
    boardError.textContent = err instanceof Error ? err.message : String(err);
    return;
  }
  renderPhlos();
}

function nodeKey(phloId: string, nodeId: string): string {
  return `${phloId}/${nodeId}`;
}

function renderPhlos(): void {
  const s = session;
  if (!s) return;
  s.nodes.clear();
  const sections = s.phlos.map((p) =>
    h(
      'section',
      { class: 'phlo', 'data-phlo-id': p.phloId },
      h('h2', {}, p.name, ' ', h('span', { class: 'muted-text' }, p.phloId)),
      ...p.nodes.map((n) => {
        const calls = h('div', { class: 'calls' });
        s.nodes.set(nodeKey(p.phloId, n.nodeId), calls);
        return h(
          'div',
          { class: 'node', 'data-node-id': n.nodeId },
          h(
            'h3',
            {},
            `${n.name} `,
            h('span', { class: 'muted-text' }, `multi_party_call ${n.nodeId}`),
          ),
          calls,
        );
      }),
    ),
  );
  phlosEl.replaceChildren(
    ...(sections.length
      ? sections
      : [h('p', { class: 'muted-text' }, 'This account has no PHLOs yet.')]),
  );
  render('all');
}

function render(change: string | null): void {
  const s = session;
  if (!s || change === null) return;
  const ids = change === 'all' ? null : new Set([change]);
  for (const [key, container] of s.nodes) {
    const [phloId, nodeId] = key.split('/') as [string, string];
    const calls = s.board.callsOf(phloId, nodeId);
    if (ids && !calls.some((c) => ids.has(c.call_id))) continue;
    const shown = calls.filter((c, i) => c.state !== 'ended' || i < 5);
    const els = shown.map((c) => card(s, c).el);
    container.replaceChildren(
      ...(els.length ? els : [h('p', { class: 'muted-text' }, 'No live calls.')]),
    );
  }
  // A call of a node the page does not list: a PHLO made after signing in.
  if (ids) {
    const c = s.board.get(change!);
    if (c && !s.nodes.has(nodeKey(c.phlo_id, c.node_id))) void loadPhlos();
  }
}

function card(s: Session, call: BoardCall): CallCard {
  let c = s.cards.get(call.call_id);
  if (c) c.update(call);
  else s.cards.set(call.call_id, (c = new CallCard(call, actions(s))));
  return c;
}

function actions(s: Session): CallCardActions {
  const mpc = (call: BoardCall) => s.client.phlo(call.phlo_id).multiPartyCall(call.node_id);
  return {
    async member(call, member, action) {
      await mpc(call)
        .callMember(call.call_id, member.member_id)
        .action(
          action as Parameters<ReturnType<ReturnType<typeof mpc>['callMember']>['action']>[0],
        );
    },
    async node(call, action, trigger, to, role) {
      const node = mpc(call);
      const r = role as 'agent' | 'customer' | 'supervisor';
      if (action === 'call') await node.call(trigger, to, r);
      else if (action === 'warm_transfer') await node.warmTransfer(trigger, to, r);
      else await node.coldTransfer(trigger, to, r);
    },
    async history(call) {
      const detail = await mpc(call).getCall(call.call_id);
      s.board.setHistory(
        call.call_id,
        detail.events.map((e) => ({
          seq: e.seq,
          at: e.at,
          type: e.type,
          member_id: e.memberId,
          data: e.data,
        })),
      );
      render(call.call_id);
    },
    async recording(call) {
      const res = await pageFetch(
        `${s.client.baseUrl}/phlo/${encodeURIComponent(call.phlo_id)}/multi_party_call/` +
          `${encodeURIComponent(call.node_id)}/calls/${encodeURIComponent(call.call_id)}/recording`,
        { headers: { authorization: s.authorization } },
      );
      if (!res.ok) {
        const body = (await res.json().catch(() => ({}))) as { error?: string };
        throw new Error(body.error ?? `the recording answered ${res.status}`);
      }
      return res.blob();
    },
  };
}
