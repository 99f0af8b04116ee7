// The explorer page: plain DOM, no framework, no build step. Every piece of data goes in as text (textContent), never
// as markup. Live updates come from /_local/live (Server-Sent Events); re-renders are batched to one per second.
'use strict'
;(() => {
  const REFRESH_MS = 1000
  const SEARCH_DELAY_MS = 200
  const state = { query: '', selected: undefined, tab: 'user', dirty: new Set(), timer: undefined }
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
    for (const child of children.flat()) {
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

  // Header: what the local Segment stored and what delivery did.
  async function loadStats() {
    const { body } = await getJson('/_local/stats')
    const values = {
      stored: body.segment?.stored,
      delivered: body.delivery?.delivered,
      failed: body.delivery?.failed,
      profiles: body.profiles
    }
    for (const [name, value] of Object.entries(values))
      document.querySelector(`[data-stat="${name}"]`).textContent = value ?? '–'
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

  function timeline(events) {
    if (events.length === 0) return el('p', { className: 'muted' }, 'No events.')
    return el(
      'ol',
      { className: 'timeline', id: 'events' },
      events.map((event) =>
        el(
          'li',
          { 'data-message-id': event.messageId },
          el('div', { className: 'muted' }, time(event.timestamp)),
          el(
            'div',
            {},
            el('span', { className: 'what' }, event.event ?? event.type),
            el('span', { className: 'tag' }, event.type),
            el('span', { className: 'tag' }, event.projectId),
            el('div', { className: 'muted' }, eventDetail(event))
          )
        )
      )
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
        el('div', {}, el('h3', {}, 'Recent events (newest first)'), timeline(body.events))
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
  void loadUsers()
  fromHash()
  listen()
})()
