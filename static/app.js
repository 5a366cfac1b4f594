// rawpi live updates: plain browser JavaScript, no build step, no dependencies.
//
// The server renders every page; this script only keeps the jobs table current:
// - it opens a WebSocket on /ws and shows its state in #live-status (online, connecting, offline);
// - each {"type":"jobs"} message updates the matching rows (#job-ID) in place;
// - on every (re)connect it resyncs: it fetches the page again and swaps in the server's <tbody>,
//   so there is only one renderer of rows (the server's) and nothing missed while offline is lost;
// - on a pending /pi/N page it reloads once the job ends, to show the digits or the end; on an ended one, once the
//   job is submitted again;
// - it fills the footer's telnet hint with this page's host and port.
// Text goes in through textContent only: nothing is escaped or parsed as HTML by hand.

'use strict';

(function () {
  // The footer's telnet hint names the host and port this page came from (the server renders 127.0.0.1 8000).
  const telnet = document.querySelector('footer code.telnet');
  if (telnet) {
    const port = location.port || (location.protocol === 'https:' ? '443' : '80');
    telnet.textContent = 'telnet ' + location.hostname.replace(/^\[|\]$/g, '') + ' ' + port;
  }

  const statusEl = document.getElementById('live-status');
  if (!statusEl || !('WebSocket' in window)) return;

  const page = document.body.dataset.page || '';
  const FORWARD = ['registered', 'scheduled', 'taken', 'calculated', 'stored'];
  const RUNNING = ['registered', 'scheduled', 'taken', 'calculated'];
  const TERMINAL = ['stored', 'error', 'cancelled'];

  // Reconnect delays: 0.5 s doubling to 15 s, each with ±50% jitter so many tabs do not come back in step.
  const BACKOFF_FIRST_MS = 500;
  const BACKOFF_MAX_MS = 15000;

  let socket = null;
  let failures = 0; // connection attempts since the last good one
  let retryTimer = null;
  let leaving = false; // set once the page reloads itself: nothing more to do here

  // ---- the live-status badge ----

  function setStatus(state, text) {
    statusEl.dataset.state = state;
    statusEl.textContent = text;
  }

  // ---- the same text rules as the server (app/pages/job-row.ts) ----

  function stageText(job) {
    if (job.stage === 'error') return 'error at ' + (job.error_stage || 'unknown stage') + ': ' + (job.error || 'no message');
    if (job.stage === 'stored' && job.from_cache) return 'stored (from cache)';
    const attempt = job.stage === 'registered' ? job.attempts + 1 : job.attempts;
    if (attempt > 1 && RUNNING.includes(job.stage)) return job.stage + ' (attempt ' + attempt + ')';
    return job.stage;
  }

  function durationText(job) {
    const ms = job.duration_ms;
    if (ms === null || ms === undefined) return '';
    return ms < 1000 ? ms + ' ms' : (ms / 1000).toFixed(2) + ' s';
  }

  // ---- applying one job change to its row ----

  function cell(row, name) {
    return row.querySelector('td.' + name);
  }

  function applyJob(row, job) {
    const before = row.dataset.stage;
    row.dataset.stage = job.stage;
    const changed = Date.parse(job.updated_at);
    if (Number.isFinite(changed)) row.dataset.updated = String(changed);

    const stage = cell(row, 'stage');
    if (stage) {
      stage.className = 'stage stage-' + job.stage;
      stage.textContent = stageText(job);
    }

    const progress = cell(row, 'progress');
    if (progress) {
      if (RUNNING.includes(job.stage)) {
        let bar = progress.querySelector('progress');
        if (!bar) {
          bar = document.createElement('progress');
          bar.max = 1;
          progress.replaceChildren(bar);
        }
        bar.value = job.progress;
        bar.textContent = Math.floor(job.progress * 100) + '%';
      } else {
        progress.textContent = job.stage === 'stored' ? 'done' : '';
      }
    }

    const digit = cell(row, 'digit');
    if (digit) digit.textContent = job.digit === null || job.digit === undefined ? '' : String(job.digit);
    const time = cell(row, 'time');
    if (time) time.textContent = durationText(job);

    // A short highlight when a job finishes (see tr.flash in style.css).
    if (before !== job.stage && TERMINAL.includes(job.stage)) {
      row.classList.remove('flash');
      void row.offsetWidth; // restart the animation
      row.classList.add('flash');
    }
  }

  /**
   * True when `job` is behind what `row` already shows (used only for messages replayed after a resync): by the
   * time of the job's last change, which the server puts on rows (data-updated) and in messages (updated_at). An
   * ended job can change again (submitted anew), so its stage alone cannot tell; the stage order is the fallback
   * for a message without a time.
   */
  function isBehind(job, row) {
    const changed = Date.parse(job.updated_at);
    const shownChanged = Number(row.dataset.updated);
    if (Number.isFinite(changed) && Number.isFinite(shownChanged)) return changed < shownChanged;
    const shown = row.dataset.stage;
    if (shown === 'stored') return true; // stored is for good
    if (!FORWARD.includes(job.stage) || !FORWARD.includes(shown)) return false; // error, cancelled: news
    if (FORWARD.indexOf(job.stage) !== FORWARD.indexOf(shown)) return FORWARD.indexOf(job.stage) < FORWARD.indexOf(shown);
    const bar = row.querySelector('progress');
    return bar !== null && job.progress < bar.value;
  }

  /** The pending /pi/N page's job is stored: load the page again to get the digits (once). */
  function reloadOnce() {
    if (leaving) return;
    leaving = true;
    location.reload();
  }

  // ---- resync: the server's rendering of the table replaces ours ----

  let resyncing = false;
  let resyncAgain = false;
  let heldDuringResync = null; // while a resync is in flight: job id -> the latest JobJson seen meanwhile

  /** A /pi/N page that shows a job instead of digits: pending, or ended without digits. */
  function piPage() {
    return page === 'pi-pending' || page === 'pi-ended';
  }

  function tableOnPage() {
    return document.querySelector('table#jobs tbody') !== null;
  }

  /** Only the first page of the index shows new jobs; older pages (?after=) never gain rows. */
  function showsNewJobs() {
    return page === 'index' && !new URLSearchParams(location.search).has('after');
  }

  async function resync() {
    if (leaving || !tableOnPage()) return;
    if (resyncing) {
      resyncAgain = true;
      return;
    }
    resyncing = true;
    heldDuringResync = new Map();
    try {
      const url = page === 'index' ? '/' + location.search : location.pathname;
      const response = await fetch(url, { headers: { Accept: 'text/html' }, cache: 'no-store', credentials: 'same-origin' });
      // A /pi/N page of a job that ended without digits is a 404, and a page like any other.
      if (!response.ok && !(piPage() && response.status === 404)) return;
      const html = await readPage(response);
      if (html === null) {
        reloadOnce(); // the job of this /pi/N page ended, or ran again, while we were not listening
        return;
      }
      const fresh = new DOMParser().parseFromString(html, 'text/html');
      if (piPage() && fresh.body.dataset.page !== page) {
        reloadOnce();
        return;
      }
      const freshBody = fresh.querySelector('table#jobs tbody');
      const ourBody = document.querySelector('table#jobs tbody');
      if (!freshBody || !ourBody) return;
      ourBody.replaceChildren(...Array.from(freshBody.childNodes));
      // The "no jobs yet" note and the page links come from the same rendering.
      syncSibling(fresh, 'section.jobs p.empty');
      syncSibling(fresh, 'section.jobs nav.pages');
      // Changes that arrived while the fetch was in flight may be newer than the fetched rendering.
      for (const job of heldDuringResync.values()) {
        const row = document.getElementById('job-' + job.id);
        if (row && !isBehind(job, row)) applyJob(row, job);
      }
    } catch (err) {
      // The server went away mid-fetch: the socket closes too, and the next connect resyncs.
    } finally {
      heldDuringResync = null;
      resyncing = false;
      if (resyncAgain) {
        resyncAgain = false;
        resync();
      }
    }
  }

  /**
   * The fetched page's text; null on a /pi/N page that shows a job (pending or ended) when the answer is another page
   * (then the rest, possibly megabytes of digits, is not read: the page reloads instead).
   */
  async function readPage(response) {
    if (!piPage() || !response.body) return response.text();
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return text;
      text += value;
      const m = /<body data-page="([^"]*)"/.exec(text);
      if (m && m[1] !== page) {
        reader.cancel();
        return null;
      }
    }
  }

  /** Makes the element matching `selector` match the fetched document's (added, replaced or removed). */
  function syncSibling(fresh, selector) {
    const ours = document.querySelector(selector);
    const theirs = fresh.querySelector(selector);
    if (ours && theirs) ours.replaceWith(theirs);
    else if (ours) ours.remove();
    else if (theirs) {
      const table = document.querySelector('section.jobs table#jobs');
      if (table) table.after(theirs);
    }
  }

  // ---- messages ----

  function onJobs(jobs) {
    if (leaving) return;
    let unknown = false;
    for (const job of jobs) {
      if (heldDuringResync) heldDuringResync.set(job.id, job);
      const row = document.getElementById('job-' + job.id);
      if (!row) {
        unknown = true;
        continue;
      }
      applyJob(row, job);
      // A pending /pi/N page shows the digits, or the job's end, once the job ends; an ended one shows the job
      // again once it is submitted anew (from this page's button or elsewhere).
      const ended = TERMINAL.includes(job.stage);
      if ((page === 'pi-pending' && ended) || (page === 'pi-ended' && !ended)) {
        reloadOnce();
        return;
      }
    }
    if (unknown && showsNewJobs()) resync(); // e.g. a job submitted from another tab
  }

  function onMessage(event) {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch (err) {
      return;
    }
    if (message.type === 'hello') {
      failures = 0;
      setStatus('online', 'live updates: on');
      resync();
    } else if (message.type === 'jobs' && Array.isArray(message.jobs)) {
      onJobs(message.jobs);
    }
  }

  // ---- the connection, with backoff ----

  function connect() {
    clearTimeout(retryTimer);
    retryTimer = null;
    setStatus('connecting', 'live updates: connecting…');
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(scheme + '//' + location.host + '/ws');
    socket = ws;
    ws.addEventListener('message', onMessage);
    ws.addEventListener('close', function () {
      if (socket !== ws) return; // an old socket, already replaced
      socket = null;
      scheduleReconnect();
    });
    // 'error' is always followed by 'close', which does the work.
  }

  function scheduleReconnect() {
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * Math.pow(2, failures));
    const delay = Math.round(base * (0.5 + Math.random())); // ±50%
    failures++;
    setStatus('offline', 'live updates: off, retrying in ' + Math.max(1, Math.round(delay / 1000)) + ' s');
    retryTimer = setTimeout(connect, delay);
  }

  // Back on the network, or back to a page restored from the back/forward cache: try at once.
  window.addEventListener('online', function () {
    if (socket === null) connect();
  });
  window.addEventListener('pageshow', function (event) {
    if (event.persisted && socket === null) connect();
  });
  // Leaving the page: close quietly rather than letting the close handler schedule a retry.
  window.addEventListener('pagehide', function () {
    clearTimeout(retryTimer);
    if (socket) {
      const ws = socket;
      socket = null;
      ws.close(1001);
    }
  });

  connect();
})();
