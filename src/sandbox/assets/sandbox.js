// The sandbox page's script: it plays the Slack client. Panels are refreshed in place from
// GET /sandbox/state, so a half-typed command or an open form is never touched; forms are sent
// with fetch and answered with JSON; confirm dialogs are shown before a button acts; an
// external_select asks the app for options as the person types. Plain browser JavaScript, loaded as
// a module (deferred, strict, its names kept out of the page's global scope).
const as = document.body.dataset.as;
const POLL_MS = 1500;
/** What the server last sent for each panel: the browser normalises innerHTML, so compare this. */
const shown = {};
let modalKey = document.getElementById('panel-modal')?.dataset.key ?? '';

function applyPanels(panels) {
  for (const [name, content] of Object.entries(panels)) {
    if (name === 'modal') continue;
    const element = document.getElementById(`panel-${name}`);
    if (!element || shown[name] === content) continue;
    shown[name] = content;
    if (element.innerHTML !== content) element.innerHTML = content;
  }
  const modal = panels.modal;
  if (modal && modal.key !== modalKey) {
    modalKey = modal.key;
    const holder = document.getElementById('panel-modal');
    holder.dataset.key = modal.key;
    holder.innerHTML = modal.html;
    setUpModal();
  }
}

let polling = false;
async function refresh() {
  if (polling) return;
  polling = true;
  try {
    const answer = await fetch(`/sandbox/state?as=${encodeURIComponent(as)}`, {
      headers: { accept: 'application/json' },
      cache: 'no-store',
    });
    if (answer.ok) applyPanels((await answer.json()).panels);
  } catch {
    // The sandbox is restarting or gone; the next tick tries again.
  } finally {
    polling = false;
  }
}

async function send(form, submitter) {
  const body = new URLSearchParams(new FormData(form, submitter ?? undefined));
  const buttons = form.querySelectorAll('button');
  for (const button of buttons) button.disabled = true;
  try {
    const answer = await fetch(form.getAttribute('action'), {
      method: 'POST',
      body,
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
    });
    const json = await answer.json();
    return json;
  } catch (error) {
    return { ok: false, failed: `The sandbox did not answer (${error.message}). Is npm start still running?` };
  } finally {
    for (const button of buttons) button.disabled = false;
  }
}

function showFailure(text) {
  const notes = document.getElementById('panel-notes');
  const div = document.createElement('div');
  div.className = 'note';
  div.setAttribute('role', 'alert');
  div.textContent = text;
  notes.append(div);
}

// ---- confirm dialogs (Block Kit `confirm` on a button) -------------------------------------
const dialog = document.getElementById('confirm');
function confirmFirst(spec) {
  return new Promise((resolve) => {
    document.getElementById('confirm-title').textContent = spec.title;
    document.getElementById('confirm-text').textContent = spec.text;
    const ok = document.getElementById('confirm-ok');
    ok.textContent = spec.confirm;
    ok.className = `btn ${spec.style === 'danger' ? 'danger' : 'primary'}`;
    document.getElementById('confirm-deny').textContent = spec.deny;
    dialog.returnValue = '';
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'confirm'), { once: true });
    dialog.showModal();
  });
}

// ---- the modal ---------------------------------------------------------------------------
function fieldError(form, blockId, text) {
  const slot = form.querySelector(`#err-${CSS.escape(blockId)}`);
  if (slot) slot.textContent = text ?? '';
  const field = form.querySelector(`.field[data-block="${CSS.escape(blockId)}"]`);
  field?.classList.toggle('invalid', Boolean(text));
}

/** What Slack's client checks before it sends a view_submission: required fields, lengths, formats. */
function checkLocally(form) {
  let first;
  for (const field of form.querySelectorAll('.field')) {
    const blockId = field.dataset.block;
    let problem = '';
    const combo = field.querySelector('.combo');
    if (combo) {
      if (combo.dataset.required && !combo.querySelector('input[type=hidden]').value) problem = 'Please select an option from the list.';
    } else {
      const control = field.querySelector('input:not([type=checkbox]), select, textarea');
      if (control && !control.checkValidity()) {
        if (control.validity.valueMissing) problem = 'Please fill out this field.';
        else if (control.validity.tooShort) problem = `Please enter at least ${control.minLength} characters.`;
        else if (control.validity.tooLong) problem = `Please enter at most ${control.maxLength} characters.`;
        else problem = control.validationMessage;
      }
    }
    fieldError(form, blockId, problem);
    if (problem && !first) first = field.querySelector('input:not([type=hidden]), select, textarea');
  }
  first?.focus();
  return !first;
}

function setUpModal() {
  const form = document.querySelector('.modal-form');
  if (!form) return;
  for (const combo of form.querySelectorAll('.combo')) setUpCombo(combo, form);
  const first = form.querySelector('.modal-body input:not([type=hidden]), .modal-body select, .modal-body textarea');
  first?.focus();
}

// ---- external_select type-ahead -----------------------------------------------------------
/** Asks the app for the options matching `query`, as Slack does (block_suggestion), through the sandbox. */
async function fetchOptions(form, combo, query) {
  const params = new URLSearchParams({
    as,
    view_id: form.querySelector('input[name=view_id]').value,
    block_id: combo.dataset.block,
    action_id: combo.dataset.action,
    q: query,
  });
  const answer = await fetch(`/sandbox/options?${params}`, { headers: { accept: 'application/json' } })
    .then((r) => r.json())
    .catch(() => ({ options: [] }));
  return answer.options;
}

function optionItems(options) {
  if (options.length === 0) return [Object.assign(document.createElement('li'), { className: 'empty', textContent: 'No results' })];
  return options.map((option) => {
    const li = document.createElement('li');
    li.setAttribute('role', 'option');
    li.dataset.value = option.value;
    li.textContent = option.label;
    return li;
  });
}

/** The list under a type-ahead: which option is highlighted, opening and closing it. */
function comboList(combo) {
  const text = combo.querySelector('input[type=text]');
  const list = combo.querySelector('[role=listbox]');
  const state = { active: -1 };
  const options = () => [...list.querySelectorAll('[role=option]')];
  return {
    state,
    options,
    close() {
      list.hidden = true;
      text.setAttribute('aria-expanded', 'false');
      state.active = -1;
    },
    show(items) {
      list.replaceChildren(...items);
      list.hidden = false;
      text.setAttribute('aria-expanded', 'true');
    },
    highlight(index) {
      const all = options();
      state.active = Math.max(-1, Math.min(index, all.length - 1));
      for (const [i, option] of all.entries()) option.setAttribute('aria-selected', String(i === state.active));
    },
  };
}

function setUpCombo(combo, form) {
  const text = combo.querySelector('input[type=text]');
  const hidden = combo.querySelector('input[type=hidden]');
  const list = combo.querySelector('[role=listbox]');
  const min = Number(combo.dataset.min || 1);
  const box = comboList(combo);
  let timer;
  let asked = 0;
  const choose = (option) => {
    hidden.value = option.dataset.value;
    text.value = option.textContent;
    fieldError(form, combo.dataset.block, '');
    box.close();
  };
  const load = async () => {
    const query = text.value.trim();
    if (query.length < min) return box.close();
    const ask = ++asked;
    const options = await fetchOptions(form, combo, query);
    if (ask !== asked) return; // a later keystroke asked again
    box.show(optionItems(options));
    box.highlight(options.length ? 0 : -1);
  };
  text.addEventListener('input', () => {
    hidden.value = '';
    clearTimeout(timer);
    timer = setTimeout(load, 200);
  });
  text.addEventListener('keydown', (event) => {
    if (list.hidden) return;
    if (event.key === 'ArrowDown') box.highlight(box.state.active + 1);
    else if (event.key === 'ArrowUp') box.highlight(box.state.active - 1);
    else if (event.key === 'Enter' && box.state.active >= 0) choose(box.options()[box.state.active]);
    else if (event.key === 'Escape') box.close();
    else return;
    event.preventDefault();
  });
  list.addEventListener('mousedown', (event) => {
    const option = event.target.closest('[role=option]');
    if (option) {
      event.preventDefault();
      choose(option);
    }
  });
  text.addEventListener('blur', () => setTimeout(() => box.close(), 150));
}

// ---- every form on the page goes through fetch --------------------------------------------
document.addEventListener('submit', async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || form.method === 'dialog') return;
  const action = form.getAttribute('action') || '';
  if (!action.startsWith('/sandbox/')) return;
  event.preventDefault();
  const submitter = event.submitter;
  if (form.dataset.confirm && !(await confirmFirst(JSON.parse(form.dataset.confirm)))) return;
  const cancelling = submitter?.name === 'cancel';
  if (form.classList.contains('modal-form') && !cancelling && !checkLocally(form)) return;
  const answer = await send(form, submitter);
  if (answer.failed) showFailure(answer.failed);
  if (form.classList.contains('modal-form') && answer.errors) {
    for (const field of form.querySelectorAll('.field')) fieldError(form, field.dataset.block, answer.errors[field.dataset.block] ?? '');
    fieldError(form, '_', answer.errors._ ?? '');
    form.querySelector('.field.invalid input:not([type=hidden]), .field.invalid select, .field.invalid textarea')?.focus();
  }
  if (form.id === 'composer' && answer.ok) form.querySelector('#command').value = '';
  if (answer.panels) applyPanels(answer.panels);
});

document.addEventListener('keydown', (event) => {
  if (event.key !== 'Escape' || dialog.open) return;
  const cancel = document.querySelector('.modal-form button[name=cancel]');
  if (cancel && !document.querySelector('.listbox:not([hidden])')) cancel.click();
});

// The server rendered the first panels; remember them so the first poll only changes what moved.
for (const element of document.querySelectorAll('[data-panel]'))
  if (element.dataset.panel !== 'modal') shown[element.dataset.panel] = element.innerHTML;
setUpModal();
setInterval(refresh, POLL_MS);
document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && refresh());
