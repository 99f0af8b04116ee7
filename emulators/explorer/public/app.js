// The explorer page: plain DOM, no framework, no build step. Every piece of data goes in as text (textContent), never
// as markup. Live updates come from /_local/live (Server-Sent Events); re-renders are batched to one per second. The
// chart is inline SVG drawn here from the stack's counters, sampled every second (/_local/stats/history, then the
// feed's `stats` events).
'use strict'
;(() => {
  const REFRESH_MS = 1000
  const SEARCH_DELAY_MS = 200
  const state = { query: '', selected: undefined, tab: 'user', dirty: new Set(), timer: undefined, samples: [] }
  const CHART_WINDOW_MS = 5 * 60 * 1000
  const SVG = 'http://www.w3.org/2000/svg'
  const $ = (id) => document.getElementById(id)

  /** An element with text children (strings) or elements; props are attributes, `className` and `onclick`. */
  function el(tag, props, ...children) {
    const node = document.createElement(tag)
    for (const [key, value] of Object.entries(props ?? {})) {
      if (value === undefined || value === null) continue
      if (key === 'className') node.className = value
      else if (key === 'onclick') node.addEventListener('click', value)
      else node.setAttribute(key, String(value))
    }
    for (const child of children.flat(Infinity)) {
      if (child === undefined || child === null || child === false) continue
      node.append(typeof child === 'string' || typeof child === 'number' ? String(child) : child)
    }
    return node
  }

  async function getJson(url) {
    const response = await fetch(url, { headers: { accept: 'application/json' } })
    return { status: response.status, body: await response.json() }
  }

  // Times in UTC, as Segment stores them (and as the generator's days are).
  const time = (iso) => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '')
  const price = (value) => (typeof value === 'number' ? value.toFixed(2) : '')
  const display = (value) => (typeof value === 'string' ? value : JSON.stringify(value))

  /** An SVG element; attributes only (SVG's presentation attributes, never a style attribute: the page's CSP). */
  function svg(tag, attributes, ...children) {
    const node = document.createElementNS(SVG, tag)
    for (const [key, value] of Object.entries(attributes ?? {})) node.setAttribute(key, String(value))
    for (const child of children.flat(Infinity)) {
      if (child === undefined || child === null || child === false) continue
      node.append(typeof child === 'string' || typeof child === 'number' ? String(child) : child)
    }
    return node
  }

  // ——— The chart: messages stored, delivered and failed per second, and the backlog ———

  const SERIES = [
    { key: 'stored', label: 'stored', color: '#2457c5' },
    { key: 'delivered', label: 'delivered', color: '#1f7a3f' },
    { key: 'failed', label: 'failed', color: '#b3261e' }
  ]
  const BACKLOG = { key: 'pending', label: 'backlog (pending)', color: '#c77700' }

  /** Each second's rates from consecutive samples (a counter that went back, after a restart, counts 0). */
  function rates(samples) {
    return samples.slice(1).map((sample, i) => {
      const before = samples[i]
      const seconds = Math.max((sample.at - before.at) / 1000, 0.001)
      const rate = (key) => Math.max(0, (sample[key] - before[key]) / seconds)
      return { at: sample.at, stored: rate('stored'), delivered: rate('delivered'), failed: rate('failed') }
    })
  }

  /** A round top for an axis: 1, 2, 5, 10, 20, 50… at least the largest value. */
  function niceMax(value) {
    if (!(value > 0)) return 1
    const power = 10 ** Math.floor(Math.log10(value))
    return [1, 2, 5, 10].map((step) => step * power).find((top) => top >= value)
  }

  const number = (value) => (value >= 100 || Number.isInteger(value) ? Math.round(value) : value.toFixed(1))

  /** One panel: lines (or an area) over the last five minutes, with its axis. */
  function panel(title, points, series, end, { area = false } = {}) {
    const width = 560
    const height = 130
    const left = 42
    const top = 8
    const plotWidth = width - left - 8
    const plotHeight = height - top - 22
    const max = niceMax(Math.max(0, ...points.flatMap((point) => series.map((line) => point[line.key]))))
    const x = (at) => left + plotWidth * (1 - (end - at) / CHART_WINDOW_MS)
    const y = (value) => top + plotHeight * (1 - value / max)
    const grid = [0, max / 2, max].map((value) => [
      svg('line', { x1: left, x2: left + plotWidth, y1: y(value), y2: y(value), stroke: '#e3e7ee' }),
      svg('text', { x: left - 6, y: y(value) + 4, 'text-anchor': 'end', class: 'axis' }, number(value))
    ])
    const ticks = [
      [end - CHART_WINDOW_MS, '−5 min'],
      [end - CHART_WINDOW_MS / 2, '−2.5 min'],
      [end, 'now']
    ].map(([at, label], i) =>
      svg('text', { x: x(at), y: height - 6, 'text-anchor': ['start', 'middle', 'end'][i], class: 'axis' }, label)
    )
    const visible = points.filter((point) => point.at >= end - CHART_WINDOW_MS)
    const lines = series.map((line) => {
      const coordinates = visible.map((point) => `${x(point.at).toFixed(1)},${y(point[line.key]).toFixed(1)}`)
      if (coordinates.length === 0) return undefined
      if (area && visible.length > 0)
        return svg('polygon', {
          points: [
            `${x(visible[0].at).toFixed(1)},${y(0)}`,
            ...coordinates,
            `${x(visible.at(-1).at).toFixed(1)},${y(0)}`
          ].join(' '),
          fill: line.color,
          'fill-opacity': 0.25,
          stroke: line.color,
          'stroke-width': 1.5,
          'data-series': line.key
        })
      return svg('polyline', {
        points: coordinates.join(' '),
        fill: 'none',
        stroke: line.color,
        'stroke-width': 1.8,
        'stroke-linejoin': 'round',
        'data-series': line.key
      })
    })
    return svg(
      'svg',
      { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title, class: 'chart' },
      svg('title', {}, title),
      grid,
      ticks,
      lines
    )
  }

  function legendItem(line, text) {
    return el(
      'span',
      { className: 'legend-item', 'data-series': line.key },
      el('span', { className: `swatch ${line.key}` }),
      text
    )
  }

  function renderChart() {
    const samples = state.samples
    const chart = $('chart')
    if (samples.length === 0) return
    const latest = samples.at(-1)
    const perSecond = rates(samples)
    const now = perSecond.at(-1) ?? { stored: 0, delivered: 0, failed: 0 }
    // The latest sample's numbers, as /_local/stats gave them when it was taken (the tests read these).
    for (const key of ['stored', 'delivered', 'failed', 'pending', 'at']) chart.dataset[key] = String(latest[key])
    /** One chart: its title and legend above the plot. */
    const chartPanel = (title, legend, plot) =>
      el('div', { className: 'chart-panel' }, el('div', { className: 'chart-head' }, el('h2', {}, title), legend), plot)
    chart.replaceChildren(
      chartPanel(
        'Messages per second',
        SERIES.map((line) => legendItem(line, `${line.label} ${number(now[line.key])}/s (${latest[line.key]} in all)`)),
        panel('Messages stored, delivered and failed per second, last 5 minutes', perSecond, SERIES, latest.at)
      ),
      chartPanel(
        'Delivery backlog',
        legendItem(BACKLOG, `${BACKLOG.label} ${latest.pending}`),
        panel('Messages waiting for delivery (pending), last 5 minutes', samples, [BACKLOG], latest.at, { area: true })
      )
    )
    showStats(latest)
  }

  function addSample(sample) {
    state.samples.push(sample)
    const oldest = sample.at - CHART_WINDOW_MS - 2000
    while (state.samples.length > 0 && state.samples[0].at < oldest) state.samples.shift()
    renderChart()
  }

  async function loadHistory() {
    const { status, body } = await getJson('/_local/stats/history')
    if (status !== 200) return
    state.samples = body.samples
    renderChart()
  }

  function showStats(values) {
    for (const [name, value] of Object.entries(values)) {
      const node = document.querySelector(`[data-stat="${name}"]`)
      if (node) node.textContent = value ?? '–'
    }
  }

  // Header: what the local Segment stored and what delivery did.
  async function loadStats() {
    const { body } = await getJson('/_local/stats')
    const values = {
      stored: body.segment?.stored,
      delivered: body.delivery?.delivered,
      failed: body.delivery?.failed,
      profiles: body.profiles
    }
    showStats(values)
  }

  // Left: the users matching the search, most recently active first.
  async function loadUsers() {
    const { body } = await getJson(`/_local/users?q=${encodeURIComponent(state.query)}&limit=100`)
    $('count').textContent =
      `${body.users.length} shown of ${body.total} ${body.total === 1 ? 'person' : 'people'}` +
      (state.query ? ` matching “${state.query}”` : '')
    $('users').replaceChildren(
      ...body.users.map((user) =>
        el(
          'li',
          {},
          el(
            'button',
            {
              'data-id': user.id,
              'aria-current': String(user.id === state.selected),
              onclick: () => select(user.id)
            },
            el('div', { className: 'user-id' }, user.label ?? user.userId ?? `anonymous ${user.id}`),
            el(
              'div',
              { className: 'muted' },
              [
                user.label ? user.userId : undefined,
                `${user.eventCount} events`,
                user.recommended ? `${user.recommended} recommended` : undefined,
                `last ${time(user.lastSeen)}`
              ]
                .filter(Boolean)
                .join(' · ')
            )
          )
        )
      )
    )
  }

  function traitsTable(traits) {
    const keys = Object.keys(traits)
    if (keys.length === 0) return el('p', { className: 'muted' }, 'No profile traits (no identify with traits yet).')
    return el(
      'table',
      { id: 'traits' },
      el(
        'tbody',
        {},
        keys.map((key) => el('tr', {}, el('th', {}, key), el('td', {}, display(traits[key]))))
      )
    )
  }

  function productCard(item) {
    return el(
      'div',
      { className: 'card', 'data-item-id': item.itemId },
      el('div', { className: 'name', title: item.itemId }, item.name ?? item.itemId),
      el(
        'div',
        { className: 'muted' },
        el('span', { className: 'category' }, item.category ?? 'not in the catalogue'),
        item.price !== undefined ? el('span', { className: 'price' }, price(item.price)) : undefined
      )
    )
  }

  function eventDetail(event) {
    if (event.products.length > 0) return event.products.map((product) => product.name ?? product.itemId).join(', ')
    if (event.traits) return `traits: ${Object.keys(event.traits).join(', ')}`
    return ''
  }

  const itemName = (item) => item.name ?? item.itemId

  function itemList(className, sign, items) {
    return el(
      'ul',
      { className: `changes ${className}` },
      items.map((item) => el('li', { 'data-item-id': item.itemId, title: item.itemId }, `${sign} ${itemName(item)}`))
    )
  }

  /** The recommendations written after an event: what entered the list and what left it. */
  function recommendationsView(change, own) {
    const count = `${change.items.length} item${change.items.length === 1 ? '' : 's'}`
    const heading = own ? `Recommendations written (${count})` : `→ recommendations written after it (${count})`
    let detail
    if (change.first)
      // The first list is every item: shown on request, so that later changes stay in view.
      detail = el(
        'details',
        {},
        el('summary', {}, `The first list: all ${count} entered`),
        itemList('entered', '+', change.entered)
      )
    else if (change.entered.length === 0 && change.left.length === 0)
      detail = el('div', { className: 'muted' }, 'The same items as before.')
    else
      detail = [
        change.entered.length > 0
          ? [
              el('div', { className: 'muted' }, `entered (${change.entered.length})`),
              itemList('entered', '+', change.entered)
            ]
          : undefined,
        change.left.length > 0
          ? [el('div', { className: 'muted' }, `left (${change.left.length})`), itemList('left', '−', change.left)]
          : undefined
      ]
    return el(
      'div',
      { className: 'recommendations', 'data-recommendations': change.messageId },
      el('div', { className: 'recs-title' }, heading),
      detail
    )
  }

  function timeline(events) {
    if (events.length === 0) return el('p', { className: 'muted' }, 'No events.')
    const kept = new Set(events.map((event) => event.messageId))
    // The round-trip's identifies are shown with the event that triggered them.
    const shown = events.filter((event) => !(event.roundTripOf && kept.has(event.roundTripOf)))
    return el(
      'ol',
      { className: 'timeline', id: 'events' },
      shown.map((event) => {
        const own = event.roundTripOf !== undefined
        return el(
          'li',
          { 'data-message-id': event.messageId, className: event.recommendations ? 'with-recommendations' : undefined },
          el('div', { className: 'muted' }, time(event.timestamp)),
          el(
            'div',
            {},
            // A round-trip identify of its own shows only its recommendations.
            own
              ? undefined
              : [
                  el('span', { className: 'what' }, event.event ?? event.type),
                  el('span', { className: 'tag' }, event.type),
                  el('span', { className: 'tag' }, event.projectId),
                  el('div', { className: 'muted' }, eventDetail(event))
                ],
            event.recommendations ? recommendationsView(event.recommendations, own) : undefined
          )
        )
      })
    )
  }

  // Main: one user's profile, recommendations and recent events.
  async function loadUser() {
    const panel = $('user-panel')
    if (state.selected === undefined) return
    const { status, body } = await getJson(`/_local/users/${encodeURIComponent(state.selected)}`)
    if (status === 404) {
      panel.replaceChildren(el('p', { className: 'muted' }, `No user ${state.selected} (yet).`))
      return
    }
    panel.replaceChildren(
      el('h2', { id: 'user-title' }, body.userId ?? `anonymous ${body.id}`),
      el(
        'p',
        { className: 'muted' },
        [
          body.label,
          `${body.eventCount} events`,
          `first seen ${time(body.firstSeen)}`,
          `last seen ${time(body.lastSeen)}`,
          body.anonymousIds.length ? `anonymousIds ${body.anonymousIds.join(', ')}` : undefined
        ]
          .filter(Boolean)
          .join(' · ')
      ),
      el('h3', {}, `Recommended products (${body.recommended.length})`),
      body.recommended.length
        ? el('div', { className: 'cards', id: 'recommended' }, body.recommended.map(productCard))
        : el('p', { className: 'muted' }, 'None yet: the destination writes recommended_products after an identify.'),
      el(
        'div',
        { className: 'columns' },
        el('div', {}, el('h3', {}, 'Traits'), traitsTable(body.traits)),
        el(
          'div',
          {},
          el('h3', {}, 'Timeline: events and the recommendations written after them (newest first)'),
          timeline(body.events)
        )
      )
    )
  }

  async function loadCatalogue() {
    const { body } = await getJson('/_local/catalogue')
    const rows = body.items.map((item) =>
      el(
        'tr',
        { 'data-item-id': item.itemId },
        el('td', {}, item.itemId),
        el('td', {}, item.name ?? ''),
        el('td', {}, item.category ?? ''),
        el('td', {}, item.brand ?? ''),
        el('td', {}, price(item.price)),
        el('td', {}, item.events)
      )
    )
    const head = el(
      'tr',
      {},
      ['item id', 'name', 'category', 'brand', 'price', 'events'].map((h) => el('th', {}, h))
    )
    $('catalogue-panel').replaceChildren(
      el('p', { className: 'muted' }, `${body.items.length} items, from events' product properties and items.csv.`),
      el('table', { id: 'catalogue' }, el('thead', {}, head), el('tbody', {}, rows))
    )
  }

  const loaders = { stats: loadStats, users: loadUsers, user: loadUser, catalogue: loadCatalogue }

  /** Marks parts of the page stale and refreshes them at most once per REFRESH_MS. */
  function refresh(...parts) {
    for (const part of parts) state.dirty.add(part)
    if (state.timer !== undefined) return
    state.timer = setTimeout(async () => {
      const due = [...state.dirty].filter((part) => part !== 'catalogue' || state.tab === 'catalogue')
      state.dirty.clear()
      await Promise.all(due.map((part) => loaders[part]().catch((error) => console.error(part, error))))
      state.timer = undefined
      if (state.dirty.size > 0) refresh()
    }, REFRESH_MS)
  }

  function select(id) {
    state.selected = id
    history.replaceState(null, '', `#user=${encodeURIComponent(id)}`)
    showTab('user')
    for (const button of document.querySelectorAll('#users button'))
      button.setAttribute('aria-current', String(button.dataset.id === id))
    void loadUser()
  }

  function showTab(tab) {
    state.tab = tab
    $('tab-user').setAttribute('aria-selected', String(tab === 'user'))
    $('tab-catalogue').setAttribute('aria-selected', String(tab === 'catalogue'))
    $('user-panel').hidden = tab !== 'user'
    $('catalogue-panel').hidden = tab !== 'catalogue'
    if (tab === 'catalogue') void loadCatalogue()
  }

  function fromHash() {
    const match = /^#user=(.+)$/.exec(location.hash)
    if (match) select(decodeURIComponent(match[1]))
  }

  function listen() {
    const live = new EventSource('/_local/live')
    const badge = $('live')
    live.onopen = () => ((badge.textContent = 'live'), (badge.className = 'live on'))
    live.onerror = () => ((badge.textContent = 'reconnecting'), (badge.className = 'live off'))
    live.addEventListener('stored', (message) => {
      const summary = JSON.parse(message.data)
      refresh('stats', 'users', 'catalogue')
      if (summary.id === state.selected) refresh('user')
    })
    live.addEventListener('stats', (message) => addSample(JSON.parse(message.data)))
    live.addEventListener('profile', (message) => {
      const { userId } = JSON.parse(message.data)
      refresh('stats', 'users')
      if (userId === state.selected) refresh('user')
    })
  }

  let searchTimer
  $('search').addEventListener('input', (event) => {
    clearTimeout(searchTimer)
    searchTimer = setTimeout(() => {
      state.query = event.target.value
      void loadUsers()
    }, SEARCH_DELAY_MS)
  })
  $('tab-user').addEventListener('click', () => showTab('user'))
  $('tab-catalogue').addEventListener('click', () => showTab('catalogue'))
  window.addEventListener('hashchange', fromHash)
  void loadStats()
  void loadHistory()
  void loadUsers()
  fromHash()
  listen()
})()
