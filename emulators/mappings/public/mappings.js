// The mappings view and event tester: plain DOM, no framework, no build step. Every piece of data goes in as text
// (textContent, attribute values), never as markup.
'use strict'
;(() => {
  const state = { actions: {}, draft: [], problems: [], dirty: false, file: null, customized: false }
  const $ = (id) => document.getElementById(id)

  /** An element with text children (strings) or elements; props are attributes, properties (`value`, `checked`,
   *  `className`) and `on…` listeners. */
  function el(tag, props, ...children) {
    const node = document.createElement(tag)
    for (const [key, value] of Object.entries(props ?? {})) {
      if (value === undefined || value === null || value === false) continue
      if (key.startsWith('on')) node.addEventListener(key.slice(2), value)
      else if (key === 'className' || key === 'value' || key === 'checked') node[key] = value
      else node.setAttribute(key, String(value))
    }
    for (const child of children.flat(Infinity)) {
      if (child === undefined || child === null || child === false) continue
      node.append(typeof child === 'string' || typeof child === 'number' ? String(child) : child)
    }
    return node
  }

  const json = (value) => JSON.stringify(value, null, 2)

  async function call(method, url, body) {
    const response = await fetch(url, {
      method,
      headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body)
    })
    return { status: response.status, body: await response.json() }
  }

  // ——— Subscriptions ———

  /** The saved subscriptions as editable drafts: each mapping value as its JSON text. */
  function load(mappings) {
    state.actions = mappings.actions
    state.file = mappings.file
    state.customized = mappings.customized
    state.draft = mappings.subscriptions.map((subscription) => ({
      name: subscription.name,
      subscribe: subscription.subscribe,
      partnerAction: subscription.partnerAction,
      enabled: subscription.enabled,
      rows: Object.entries(subscription.mapping).map(([field, value]) => ({ field, text: JSON.stringify(value) }))
    }))
    state.problems = []
    state.dirty = false
    renderSubscriptions()
  }

  function changed() {
    state.dirty = true
    renderState()
  }

  function renderState() {
    $('where').textContent = state.file ? `saved in ${state.file}` : 'kept in memory (the stack has no data dir)'
    $('state').textContent = state.dirty
      ? 'unsaved changes'
      : state.customized
        ? 'edited (not the presets)'
        : 'the destination’s presets'
  }

  function fieldOf(action, name) {
    return (state.actions[action]?.fields ?? []).find((field) => field.name === name)
  }

  function fieldRow(subscription, row) {
    const field = fieldOf(subscription.partnerAction, row.field)
    const input = el('textarea', {
      rows: Math.min(6, Math.max(1, Math.ceil(row.text.length / 60))),
      spellcheck: 'false',
      'aria-label': `${subscription.name} ${row.field}`,
      'data-field': row.field,
      className: row.invalid ? 'invalid' : '',
      value: row.text,
      oninput: (event) => {
        row.text = event.target.value
        row.invalid = undefined
        changed()
      }
    })
    return el(
      'tr',
      {},
      el(
        'td',
        { className: 'field', title: field?.description ?? 'not a field of this action' },
        el('div', {}, field?.label ?? row.field, field?.required ? el('span', { className: 'required' }, ' *') : ''),
        el('div', { className: 'muted mono' }, row.field)
      ),
      el('td', {}, input, row.invalid ? el('div', { className: 'error' }, row.invalid) : ''),
      el(
        'td',
        {},
        el(
          'button',
          {
            type: 'button',
            className: 'small',
            title: 'Remove this field mapping',
            onclick: () => {
              subscription.rows.splice(subscription.rows.indexOf(row), 1)
              changed()
              renderSubscriptions()
            }
          },
          '×'
        )
      )
    )
  }

  function addFieldControl(subscription) {
    const mapped = new Set(subscription.rows.map((row) => row.field))
    const free = (state.actions[subscription.partnerAction]?.fields ?? []).filter((field) => !mapped.has(field.name))
    if (free.length === 0) return ''
    const select = el(
      'select',
      { 'aria-label': `Field to add to ${subscription.name}` },
      free.map((field) => el('option', { value: field.name }, `${field.label} (${field.name})`))
    )
    const add = () => {
      const field = fieldOf(subscription.partnerAction, select.value)
      subscription.rows.push({ field: select.value, text: JSON.stringify(field?.default ?? '') })
      changed()
      renderSubscriptions()
    }
    return el(
      'div',
      { className: 'bar' },
      select,
      el('button', { type: 'button', className: 'small', onclick: add }, 'Add field')
    )
  }

  function subscriptionCard(subscription, index) {
    const problems = state.problems.filter((problem) => problem.index === index)
    const actionSelect = el(
      'select',
      {
        'aria-label': 'Action',
        onchange: (event) => {
          subscription.partnerAction = event.target.value
          changed()
          renderSubscriptions()
        }
      },
      Object.entries(state.actions).map(([name, action]) =>
        el(
          'option',
          { value: name, selected: name === subscription.partnerAction ? 'selected' : undefined },
          action.title
        )
      )
    )
    return el(
      'div',
      { className: `subscription${subscription.enabled ? '' : ' disabled'}`, 'data-name': subscription.name },
      el(
        'div',
        { className: 'head' },
        el(
          'label',
          {},
          el('input', {
            type: 'checkbox',
            checked: subscription.enabled,
            'aria-label': `Enabled: ${subscription.name}`,
            onchange: (event) => {
              subscription.enabled = event.target.checked
              changed()
              renderSubscriptions()
            }
          }),
          ' enabled'
        ),
        el('input', {
          type: 'text',
          value: subscription.name,
          'aria-label': 'Name',
          oninput: (event) => {
            subscription.name = event.target.value
            changed()
          }
        }),
        actionSelect,
        el(
          'div',
          { className: 'trigger' },
          el('span', { className: 'muted' }, 'Trigger'),
          el('input', {
            type: 'text',
            className: 'mono',
            value: subscription.subscribe,
            'aria-label': `Trigger of ${subscription.name}`,
            oninput: (event) => {
              subscription.subscribe = event.target.value
              changed()
            }
          }),
          el(
            'button',
            {
              type: 'button',
              className: 'small',
              title: 'Remove this subscription',
              onclick: () => {
                state.draft.splice(state.draft.indexOf(subscription), 1)
                changed()
                renderSubscriptions()
              }
            },
            'Remove'
          )
        )
      ),
      problems.length > 0
        ? el(
            'ul',
            { className: 'errors' },
            problems.map((problem) => el('li', {}, problem.message))
          )
        : '',
      el(
        'table',
        { className: 'fields' },
        el(
          'tbody',
          {},
          subscription.rows.map((row) => fieldRow(subscription, row))
        )
      ),
      addFieldControl(subscription)
    )
  }

  function renderSubscriptions() {
    renderState()
    $('subscriptions').replaceChildren(...state.draft.map(subscriptionCard))
    const general = state.problems.filter((problem) => problem.index < 0 || problem.index >= state.draft.length)
    $('save-errors').replaceChildren(...general.map((problem) => el('li', {}, problem.message)))
  }

  /** The drafts as subscriptions, or undefined after marking the values that are not JSON. */
  function collect() {
    let valid = true
    const list = state.draft.map((subscription) => {
      const mapping = {}
      for (const row of subscription.rows) {
        try {
          mapping[row.field] = JSON.parse(row.text)
        } catch (error) {
          row.invalid = `not JSON: ${error.message}`
          valid = false
        }
      }
      const { name, subscribe, partnerAction, enabled } = subscription
      return { name, subscribe, partnerAction, enabled, mapping }
    })
    return valid ? list : undefined
  }

  async function save() {
    const status = $('save-status')
    const list = collect()
    if (!list) {
      state.problems = []
      renderSubscriptions()
      status.className = 'error'
      status.textContent = 'Not saved: some values are not JSON (marked below).'
      return
    }
    const { status: code, body } = await call('PUT', '/_local/mappings', { subscriptions: list })
    if (code === 200) {
      load(body)
      status.className = 'ok'
      status.textContent = 'Saved. Delivery uses these subscriptions from now on.'
      return
    }
    state.problems = body.errors ?? [{ index: -1, message: body.error ?? `HTTP ${code}` }]
    renderSubscriptions()
    status.className = 'error'
    status.textContent = `Not saved: ${state.problems.length} problem(s), shown with their subscription.`
  }

  async function reset() {
    const { body } = await call('POST', '/_local/mappings/reset')
    load(body)
    $('save-status').className = 'ok'
    $('save-status').textContent = 'Back to the destination’s presets.'
  }

  function addSubscription() {
    state.draft.push({
      name: `New subscription ${state.draft.length + 1}`,
      subscribe: 'type = "track" and event = "Product Viewed"',
      partnerAction: 'trackEvent',
      enabled: true,
      rows: (state.actions.trackEvent?.fields ?? [])
        .filter((field) => field.default !== undefined)
        .map((field) => ({ field: field.name, text: JSON.stringify(field.default) }))
    })
    changed()
    renderSubscriptions()
  }

  // ——— Event tester ———

  function pre(value, className) {
    return el('pre', { className }, typeof value === 'string' ? value : json(value))
  }

  function requestView(request) {
    return el(
      'div',
      { className: 'request' },
      el(
        'div',
        {},
        el('strong', {}, request.operation),
        ' ',
        el('span', { className: 'mono' }, `${request.method} ${request.url}`)
      ),
      el('details', {}, el('summary', {}, 'Headers'), pre(request.headers)),
      el('div', { className: 'muted' }, 'Body'),
      pre(request.body, 'request-body'),
      el(
        'details',
        {},
        el('summary', {}, `Answered ${request.response.status} by the ${request.response.answeredBy}`),
        pre(request.response.body)
      )
    )
  }

  function resultBadge(outcome) {
    if (outcome.skipped) return el('span', { className: 'badge' }, 'not run')
    if (!outcome.result) return ''
    return el(
      'span',
      { className: `badge ${outcome.result.ok ? 'ok' : 'failed'}` },
      outcome.result.ok
        ? `${outcome.result.status} sent`
        : `${outcome.result.status} ${outcome.result.errortype ?? 'failed'}`
    )
  }

  function outcomeView(outcome) {
    return el(
      'div',
      { className: 'outcome', 'data-name': outcome.name },
      el(
        'div',
        { className: 'bar' },
        el('h3', {}, outcome.name),
        el('span', { className: 'muted' }, state.actions[outcome.partnerAction]?.title ?? outcome.partnerAction),
        el('span', { className: 'spacer' }),
        resultBadge(outcome)
      ),
      el('div', { className: 'muted mono' }, outcome.subscribe),
      outcome.skipped ? el('p', {}, `Not run: ${outcome.skipped}.`) : '',
      outcome.payload ? el('details', {}, el('summary', {}, 'Mapped payload'), pre(outcome.payload)) : '',
      outcome.requests.length > 0
        ? [
            el('div', { className: 'muted' }, `${outcome.requests.length} request(s)`),
            outcome.requests.map(requestView)
          ]
        : outcome.result
          ? el('p', { className: 'muted' }, 'No request.')
          : '',
      outcome.result
        ? el(
            'div',
            { className: 'result' },
            el('strong', {}, 'Result: '),
            el(
              'span',
              { className: outcome.result.ok ? 'ok' : 'error' },
              outcome.result.ok
                ? `${outcome.result.status} OK`
                : `${outcome.result.status} ${outcome.result.message ?? ''}`
            ),
            outcome.result.sent !== undefined
              ? el('details', {}, el('summary', {}, 'Sent'), pre(outcome.result.sent))
              : ''
          )
        : ''
    )
  }

  function renderReport(report) {
    const matched = report.subscriptions.filter((outcome) => outcome.matched)
    const others = report.subscriptions.filter((outcome) => !outcome.matched)
    $('test-output').replaceChildren(
      report.note ? el('p', { className: 'note' }, report.note) : '',
      el('p', {}, `${matched.length} of ${report.subscriptions.length} subscriptions match this event.`),
      ...matched.map(outcomeView),
      others.length > 0
        ? el('p', { className: 'muted' }, `Not matched: ${others.map((outcome) => outcome.name).join(', ')}.`)
        : '',
      el('details', {}, el('summary', {}, 'The event as Segment holds it'), pre(report.event))
    )
  }

  async function test() {
    $('test-error').textContent = ''
    let event
    try {
      event = JSON.parse($('event').value)
    } catch (error) {
      $('test-error').textContent = `The event is not JSON: ${error.message}`
      return
    }
    $('test').disabled = true
    try {
      const { status, body } = await call('POST', '/_local/test', { event })
      if (status === 200) renderReport(body)
      else {
        $('test-output').replaceChildren()
        $('test-error').textContent = body.error ?? `HTTP ${status}`
      }
    } finally {
      $('test').disabled = false
    }
  }

  async function loadSamples() {
    const { body } = await call('GET', '/_local/samples')
    const select = $('sample')
    select.replaceChildren(...body.samples.map((sample, i) => el('option', { value: String(i) }, sample.label)))
    const show = () => ($('event').value = json(body.samples[Number(select.value)].event))
    select.addEventListener('change', show)
    show()
  }

  async function start() {
    $('save').addEventListener('click', () => void save())
    $('reset').addEventListener('click', () => void reset())
    $('add').addEventListener('click', addSubscription)
    $('test').addEventListener('click', () => void test())
    window.addEventListener('beforeunload', (event) => {
      if (state.dirty) event.preventDefault()
    })
    const { body } = await call('GET', '/_local/mappings')
    load(body)
    await loadSamples()
    document.body.dataset.ready = 'true'
  }

  void start()
})()
