// The mappings view (a mapping editor like Segment's) and the event tester: plain DOM, no framework, no build step.
// Every piece of data goes in as text (textContent, attribute values), never as markup.
'use strict'
;(() => {
  const state = {
    actions: {},
    draft: [],
    problems: [],
    dirty: false,
    file: null,
    customized: false,
    refused: false,
    seen: { types: [], events: [] },
    paths: [],
    eventPaths: new Set(),
    pathsKey: undefined
  }
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

  // ——— Subscriptions: the mapping editor ———
  //
  // Each field of the action is edited as Segment's mapping UI does: a path picked from the sample event (or typed), a
  // static value, or "first of" fallbacks (mapping-kit's `@if exists … then … else` chains, shown as an ordered list);
  // keys and values for an object field (each value a path or a static value, as Segment's key-value object editor);
  // the raw JSON only in the "Advanced (JSON)" mode. The checks run as the user types: the page's own (paths, static
  // values, JSON) at once, and the stack's (POST /_local/mappings/check: the trigger's FQL, the save's rules) shortly
  // after; each problem is shown beside what it is about.

  const MODES = [
    ['unmapped', 'Not mapped'],
    ['path', 'Event variable'],
    ['literal', 'Static value'],
    ['first', 'First of (fallbacks)'],
    ['keys', 'Keys and values'],
    ['json', 'Advanced (JSON)']
  ]
  /** The modes a field offers: keys and values only for an object field that is not a list. */
  const modesOf = (field) => MODES.filter(([mode]) => mode !== 'keys' || (field?.type === 'object' && !field.multiple))
  const CHECK_DELAY_MS = 250
  const NEW_TRIGGER = 'type = "track" and event = "Product Viewed"'
  // Segment's message types, offered in the trigger builder whether or not the stack has seen them.
  const TYPES = ['track', 'identify', 'page', 'screen', 'group', 'alias']
  /** Each draft subscription's card and the places its problems are shown. */
  const views = new WeakMap()
  let checkTimer
  let checkRun = 0

  // The same path rule as the stack's (emulators/mappings/checks.ts pathProblem).
  const PATH = /^\$\.[^.[\]]+(?:\.[^.[\]]+|\[\d+\]|\[(["'])[^"']+\1\])*$/
  function pathProblem(path) {
    if (path.trim() === '') return 'is empty: pick a path from the event or type one, such as $.properties.product_id'
    if (path !== path.trim()) return `"${path}" has spaces at its start or end`
    if (!path.startsWith('$.'))
      return `"${path}" must start with "$." (such as $.${path.replace(/^\$?\.?/, '') || 'properties.product_id'})`
    if (/\.\.|\.$|\.\[/.test(path)) return `"${path}" has an empty part (".." or a trailing ".")`
    if (!PATH.test(path))
      return `"${path}" is not a path: write parts separated by dots, such as $.properties.product_id`
    return undefined
  }

  const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value)
  const isPath = (value) => isObject(value) && Object.keys(value).length === 1 && typeof value['@path'] === 'string'
  /** A "first of" chain as its entries ({kind: 'path'|'literal', text}), or undefined when the value is not one. */
  function chainOf(value) {
    const entries = []
    let rest = value
    while (isObject(rest) && Object.keys(rest).length === 1 && isObject(rest['@if'])) {
      const { exists, then, else: otherwise, ...others } = rest['@if']
      if (Object.keys(others).length > 0 || !isPath(exists) || !isPath(then) || exists['@path'] !== then['@path'])
        return undefined
      entries.push({ kind: 'path', text: exists['@path'] })
      rest = otherwise
    }
    if (entries.length === 0 || rest === undefined) return undefined
    if (isPath(rest)) entries.push({ kind: 'path', text: rest['@path'] })
    else if (rest !== null && typeof rest !== 'object') entries.push({ kind: 'literal', text: String(rest) })
    else return undefined
    return entries
  }

  /** An object field's value as key-value pairs ({key, kind: 'path'|'literal', text}), or undefined when it is not
   *  an object of paths and static text (mapping-kit's directives, "@…" keys, stay in the JSON mode). */
  function pairsOf(value) {
    if (!isObject(value) || isPath(value) || Object.keys(value).some((key) => key.startsWith('@'))) return undefined
    const pairs = []
    for (const [key, one] of Object.entries(value)) {
      if (isPath(one)) pairs.push({ key, kind: 'path', text: one['@path'] })
      else if (typeof one === 'string') pairs.push({ key, kind: 'literal', text: one })
      else return undefined
    }
    return pairs
  }

  /** How the editor shows a field's value: one mode, and what each mode's inputs hold (kept when the mode changes). */
  function editorOf(value, field) {
    const editor = { mode: 'unmapped', path: '', literal: '', entries: [], pairs: [], json: '' }
    if (value === undefined) return editor
    editor.json = json(value)
    const chain = chainOf(value)
    const pairs = field?.type === 'object' && !field.multiple ? pairsOf(value) : undefined
    if (isPath(value)) Object.assign(editor, { mode: 'path', path: value['@path'] })
    else if (chain) Object.assign(editor, { mode: 'first', entries: chain })
    else if (pairs) Object.assign(editor, { mode: 'keys', pairs })
    else if (value !== null && typeof value !== 'object' && field?.type !== 'object')
      Object.assign(editor, { mode: 'literal', literal: String(value) })
    else editor.mode = 'json'
    if (editor.mode === 'first') editor.path = editor.entries[0].text
    return editor
  }

  /** A static value typed for a field, as the field's type reads it: { value } or { error }. */
  function literalValue(text, field) {
    const type = field?.type ?? 'string'
    if (type === 'number' || type === 'integer') {
      const number = Number(text)
      if (text.trim() === '' || !Number.isFinite(number)) return { error: `"${text}" is not a number` }
      if (type === 'integer' && !Number.isInteger(number)) return { error: `${text} is not a whole number` }
      return { value: number }
    }
    if (type === 'boolean') {
      if (text !== 'true' && text !== 'false') return { error: 'choose true or false' }
      return { value: text === 'true' }
    }
    if (type === 'datetime' && !/^\d+$/.test(text) && Number.isNaN(Date.parse(text)))
      return { error: `"${text}" is not a date-time: write one such as 2026-10-04T12:20:00Z` }
    if (type === 'datetime' && /^\d+$/.test(text)) return { value: Number(text) }
    return { value: text }
  }

  /** The field's value from its editor: { value } (undefined when not mapped) or { error }. */
  function valueOf(editor, field) {
    switch (editor.mode) {
      case 'unmapped':
        return { value: undefined }
      case 'path': {
        const problem = pathProblem(editor.path)
        return problem ? { error: `the path ${problem}` } : { value: { '@path': editor.path } }
      }
      case 'literal':
        return literalValue(editor.literal, field)
      case 'json':
        try {
          return { value: JSON.parse(editor.json) }
        } catch (error) {
          return { error: `not JSON: ${error.message}` }
        }
      case 'first': {
        if (editor.entries.length === 0) return { error: 'add at least one path' }
        const values = []
        for (const [i, entry] of editor.entries.entries()) {
          if (entry.kind === 'literal' && i < editor.entries.length - 1)
            return { error: `fallback ${i + 1} is a static value, which is never empty: make it the last one` }
          const one =
            entry.kind === 'path' ? valueOf({ mode: 'path', path: entry.text }, field) : literalValue(entry.text, field)
          if ('error' in one) return { error: `fallback ${i + 1}: ${one.error}` }
          values.push(one.value)
        }
        // From the last fallback back: "if the path exists, it, else the rest".
        let value = values.at(-1)
        for (let i = values.length - 2; i >= 0; i--)
          value = { '@if': { exists: values[i], then: values[i], else: value } }
        return { value }
      }
      case 'keys': {
        const value = {}
        for (const [i, pair] of editor.pairs.entries()) {
          const key = pair.key.trim()
          if (key === '') return { error: `key ${i + 1} is empty: name it (such as numberOfRatings)` }
          if (key.startsWith('@'))
            return { error: `key "${key}" starts with "@", which mapping-kit reads as a directive` }
          if (key in value) return { error: `key "${key}" is given twice` }
          const one = pair.kind === 'path' ? valueOf({ mode: 'path', path: pair.text }, field) : { value: pair.text }
          if ('error' in one) return { error: `key "${key}": ${one.error}` }
          value[key] = one.value
        }
        return { value }
      }
    }
    return { error: `unknown mode ${editor.mode}` }
  }

  /** The saved subscriptions as drafts: one editor per field of the action (hidden fields keep their values). */
  function load(mappings) {
    state.actions = mappings.actions
    state.file = mappings.file
    state.customized = mappings.customized
    state.draft = mappings.subscriptions.map(draftOf)
    state.problems = []
    state.dirty = false
    renderSubscriptions()
    scheduleCheck()
  }

  function draftOf(subscription) {
    const draft = {
      name: subscription.name,
      subscribe: subscription.subscribe,
      partnerAction: subscription.partnerAction,
      enabled: subscription.enabled,
      // Whether its field mappings are shown (a new subscription's are).
      open: subscription.open === true,
      editors: {},
      // Fields of another action (after a change of action) or unknown ones, kept until saved so the check names them.
      extra: {}
    }
    setMapping(draft, subscription.mapping ?? {})
    return draft
  }

  function setMapping(draft, mapping) {
    const fields = fieldsOf(draft.partnerAction)
    draft.editors = {}
    draft.extra = {}
    for (const field of fields) draft.editors[field.name] = editorOf(mapping[field.name], field)
    for (const [key, value] of Object.entries(mapping))
      if (!fields.some((field) => field.name === key)) draft.extra[key] = value
  }

  const fieldsOf = (action) => state.actions[action]?.fields ?? []

  /** The draft as a subscription, and the fields whose editors hold something that is not a value yet. */
  function subscriptionOf(draft) {
    const mapping = { ...draft.extra }
    const errors = {}
    for (const field of fieldsOf(draft.partnerAction)) {
      const editor = draft.editors[field.name]
      if (!editor) continue
      const result = valueOf(editor, field)
      if ('error' in result) errors[field.name] = result.error
      else if (result.value !== undefined) mapping[field.name] = result.value
    }
    const { name, subscribe, partnerAction, enabled } = draft
    return { subscription: { name, subscribe, partnerAction, enabled, mapping }, errors }
  }

  function changed() {
    state.dirty = true
    renderState()
    scheduleCheck()
  }

  function renderState() {
    $('where').textContent = state.file ? `saved in ${state.file}` : 'kept in memory (the stack has no data dir)'
    $('state').textContent = state.dirty
      ? 'unsaved changes'
      : state.customized
        ? 'edited (not the presets)'
        : 'the destination’s presets'
  }

  // ——— Paths of the sample event, for the path pickers ———

  /** Every path of an event, `$.properties.product_id` style: objects and arrays too (object fields map them). */
  function pathsOf(value, prefix = '$', depth = 0, out = []) {
    if (depth > 6 || out.length > 400 || !isObject(value)) return out
    for (const [key, inner] of Object.entries(value)) {
      if (/[.[\]"']/.test(key) || key.trim() !== key || key === '') continue
      const path = `${prefix}.${key}`
      out.push(path)
      if (isObject(inner)) pathsOf(inner, path, depth + 1, out)
    }
    return out
  }

  /** The paths the pickers offer: the tester's event first, then those the mappings already use. */
  function refreshPaths() {
    let event
    try {
      event = JSON.parse($('event').value)
    } catch {
      event = undefined
    }
    const fromEvent = pathsOf(event)
    const used = new Set()
    for (const draft of state.draft)
      for (const editor of Object.values(draft.editors)) {
        if (editor.mode === 'path' && !pathProblem(editor.path)) used.add(editor.path)
        for (const entry of editor.entries) if (entry.kind === 'path' && !pathProblem(entry.text)) used.add(entry.text)
      }
    const paths = [...fromEvent, ...[...used].filter((path) => !fromEvent.includes(path)).sort()]
    const key = paths.join('\n')
    if (key === state.pathsKey) return
    state.paths = paths
    state.eventPaths = new Set(fromEvent)
    state.pathsKey = key
    $('event-paths').replaceChildren(...paths.map((path) => el('option', { value: path })))
    for (const select of document.querySelectorAll('select.pick')) fillPicker(select)
  }

  function fillPicker(select) {
    const groups = [
      ['In the sample event', state.paths.filter((path) => state.eventPaths.has(path))],
      ['Used by the mappings', state.paths.filter((path) => !state.eventPaths.has(path))]
    ]
    select.replaceChildren(
      el('option', { value: '' }, 'Pick a path…'),
      ...groups
        .filter(([, paths]) => paths.length > 0)
        .map(([label, paths]) =>
          el(
            'optgroup',
            { label },
            paths.map((path) => el('option', { value: path }, path))
          )
        )
    )
  }

  /** A path input with its picker: typing or picking both set the path. */
  function pathInput(value, label, onChange) {
    const input = el('input', {
      type: 'text',
      className: 'mono path',
      list: 'event-paths',
      value,
      spellcheck: 'false',
      placeholder: '$.properties.product_id',
      'aria-label': label,
      oninput: (event) => onChange(event.target.value)
    })
    const picker = el('select', {
      className: 'pick',
      'aria-label': `Pick: ${label}`,
      onchange: (event) => {
        if (!event.target.value) return
        input.value = event.target.value
        onChange(event.target.value)
        event.target.value = ''
      }
    })
    fillPicker(picker)
    return el('span', { className: 'path-input' }, input, picker)
  }

  function literalInput(field, value, label, onChange) {
    if (field?.type === 'boolean')
      return el(
        'select',
        { 'aria-label': label, onchange: (event) => onChange(event.target.value) },
        ['', 'true', 'false'].map((option) =>
          el('option', { value: option, selected: option === value ? 'selected' : undefined }, option || 'choose…')
        )
      )
    return el('input', {
      type: 'text',
      className: 'literal',
      value,
      'aria-label': label,
      placeholder: { number: '25', integer: '25', datetime: '2026-10-04T12:20:00Z' }[field?.type] ?? 'a value',
      oninput: (event) => onChange(event.target.value)
    })
  }

  // ——— One field ———

  function fieldEditor(draft, field) {
    const editor = draft.editors[field.name]
    const who = `${field.label} (${draft.name})`
    const update = () => {
      changed()
      showErrors()
    }
    const rerender = () => {
      changed()
      renderCard(draft)
    }
    const modeSelect = el(
      'select',
      {
        className: 'mode',
        'aria-label': `How ${who} is mapped`,
        onchange: (event) => {
          const mode = event.target.value
          // Carry what was there into the new mode, as far as it goes.
          const current = valueOf(editor, field)
          if (mode === 'first' && editor.entries.length === 0)
            editor.entries = [{ kind: 'path', text: editor.mode === 'path' ? editor.path : '' }]
          if (mode === 'path' && editor.mode === 'first' && editor.entries[0]?.kind === 'path')
            editor.path = editor.entries[0].text
          if (mode === 'keys' && editor.pairs.length === 0)
            editor.pairs = ('value' in current && pairsOf(current.value)) || [{ key: '', kind: 'path', text: '' }]
          if (mode === 'json' && 'value' in current && current.value !== undefined) editor.json = json(current.value)
          editor.mode = mode
          rerender()
        }
      },
      modesOf(field).map(([mode, label]) =>
        el('option', { value: mode, selected: mode === editor.mode ? 'selected' : undefined }, label)
      )
    )
    let body
    if (editor.mode === 'path')
      body = pathInput(editor.path, `Path of ${who}`, (value) => {
        editor.path = value
        update()
      })
    else if (editor.mode === 'literal')
      body = literalInput(field, editor.literal, `Value of ${who}`, (value) => {
        editor.literal = value
        update()
      })
    else if (editor.mode === 'json')
      body = el('textarea', {
        rows: Math.min(8, Math.max(2, editor.json.split('\n').length)),
        spellcheck: 'false',
        className: 'json',
        'aria-label': `JSON of ${who}`,
        value: editor.json,
        oninput: (event) => {
          editor.json = event.target.value
          update()
        }
      })
    else if (editor.mode === 'first') body = fallbacks(editor, field, who, update, rerender)
    else if (editor.mode === 'keys') body = keyValues(editor, field, who, update, rerender)
    else body = el('span', { className: 'muted' }, field.required ? 'Required: choose how to map it.' : '')
    const errors = el('ul', { className: 'errors field-errors' })
    const row = el(
      'div',
      { className: `field-row${field.required ? ' required-field' : ''}`, 'data-field': field.name },
      el(
        'div',
        { className: 'field-head' },
        el(
          'span',
          { className: 'field-label' },
          field.label,
          field.required ? el('span', { className: 'required', title: 'Required' }, ' *') : ''
        ),
        el('code', { className: 'muted' }, field.name),
        el('span', { className: 'muted type' }, `${field.type}${field.multiple ? ' list' : ''}`),
        el('span', { className: 'spacer' }),
        modeSelect
      ),
      el('div', { className: 'description muted' }, field.description ?? ''),
      el('div', { className: 'value' }, body),
      errors
    )
    return { row, errors }
  }

  /** A small button of a list's row or foot. */
  const smallButton = (text, attributes, onclick) =>
    el('button', { type: 'button', className: 'small', ...attributes, onclick }, text)

  /** A row's value: a path of the event or a static value ({kind, text}), with the select that switches them. The
   *  value's input is labelled `label`, the select `Kind: <label>`; `field` types a static value (none: text). */
  function pathOrValue(entry, field, label, update, rerender) {
    const set = (value) => {
      entry.text = value
      update()
    }
    return [
      el(
        'select',
        {
          'aria-label': `Kind: ${label}`,
          onchange: (event) => {
            entry.kind = event.target.value
            rerender()
          }
        },
        el('option', { value: 'path', selected: entry.kind === 'path' ? 'selected' : undefined }, 'path'),
        el('option', { value: 'literal', selected: entry.kind === 'literal' ? 'selected' : undefined }, 'value')
      ),
      entry.kind === 'path' ? pathInput(entry.text, label, set) : literalInput(field, entry.text, label, set)
    ]
  }

  /** The × of a list's row: removes entry `i` of `list`. */
  const removeButton = (list, i, label, rerender) =>
    smallButton('×', { title: 'Remove', 'aria-label': `Remove: ${label}` }, () => {
      list.splice(i, 1)
      rerender()
    })

  /** "First of": an ordered list of paths (a static value may end it), each used when the ones above are empty. */
  function fallbacks(editor, field, who, update, rerender) {
    const move = (from, to) => {
      const [entry] = editor.entries.splice(from, 1)
      editor.entries.splice(to, 0, entry)
      rerender()
    }
    return el(
      'div',
      { className: 'fallbacks' },
      el(
        'ol',
        {},
        editor.entries.map((entry, i) => {
          const label = `Fallback ${i + 1} of ${who}`
          return el(
            'li',
            {},
            ...pathOrValue(entry, field, label, update, rerender),
            el(
              'span',
              { className: 'moves' },
              smallButton('↑', { title: 'Up', disabled: i === 0 }, () => move(i, i - 1)),
              smallButton('↓', { title: 'Down', disabled: i === editor.entries.length - 1 }, () => move(i, i + 1)),
              removeButton(editor.entries, i, label, rerender)
            )
          )
        })
      ),
      smallButton(`Add fallback to ${field.label}`, {}, () => {
        editor.entries.push({ kind: 'path', text: '' })
        rerender()
      }),
      el('span', { className: 'muted' }, ' the first that exists in the event is used')
    )
  }

  /** Keys and values: each key of the object a path from the event or a static text, as Segment's object editor. */
  function keyValues(editor, field, who, update, rerender) {
    return el(
      'div',
      { className: 'pairs' },
      el(
        'ul',
        {},
        editor.pairs.map((pair, i) => {
          const label = `key ${i + 1} of ${who}`
          return el(
            'li',
            {},
            el('input', {
              type: 'text',
              className: 'mono key',
              value: pair.key,
              spellcheck: 'false',
              placeholder: 'key',
              'aria-label': `Name of ${label}`,
              oninput: (event) => {
                pair.key = event.target.value
                update()
              }
            }),
            ...pathOrValue(pair, undefined, `Value of ${label}`, update, rerender),
            removeButton(editor.pairs, i, label, rerender)
          )
        })
      ),
      smallButton(`Add key to ${field.label}`, {}, () => {
        editor.pairs.push({ key: '', kind: 'path', text: '' })
        rerender()
      })
    )
  }

  // ——— The trigger ———

  function triggerEditor(draft) {
    const input = el('input', {
      type: 'text',
      className: 'mono',
      value: draft.subscribe,
      spellcheck: 'false',
      list: 'trigger-suggestions',
      'aria-label': `Trigger of ${draft.name}`,
      oninput: (event) => {
        draft.subscribe = event.target.value
        changed()
      }
    })
    // The builder: a type, then an event name among those the stack has seen, as Segment's trigger builder offers.
    const seenTypes = [...new Set([...state.seen.types.map((seen) => seen.type), ...TYPES])]
    const typeSelect = el(
      'select',
      { 'aria-label': `Event type of ${draft.name}` },
      el('option', { value: '' }, 'Event type…'),
      seenTypes.map((type) => {
        const count = state.seen.types.find((seen) => seen.type === type)?.count
        return el('option', { value: type }, count ? `${type} (${count} seen)` : type)
      })
    )
    const eventSelect = el('select', { 'aria-label': `Event name of ${draft.name}` })
    const fillEvents = () => {
      const names = state.seen.events.filter((seen) => seen.type === (typeSelect.value || 'track'))
      eventSelect.replaceChildren(
        el('option', { value: '' }, names.length ? 'any event name' : 'no event names seen'),
        ...names.map((seen) => el('option', { value: seen.event }, `${seen.event} (${seen.count})`))
      )
    }
    const build = () => {
      if (!typeSelect.value) return
      const name = typeSelect.value === 'page' || typeSelect.value === 'screen' ? 'name' : 'event'
      const event = eventSelect.value ? ` and ${name} = ${JSON.stringify(eventSelect.value)}` : ''
      draft.subscribe = `type = ${JSON.stringify(typeSelect.value)}${event}`
      input.value = draft.subscribe
      changed()
    }
    typeSelect.addEventListener('change', () => {
      fillEvents()
      build()
    })
    eventSelect.addEventListener('change', build)
    fillEvents()
    const errors = el('ul', { className: 'errors trigger-errors' })
    return {
      node: el(
        'div',
        { className: 'trigger' },
        el('div', { className: 'bar' }, el('span', { className: 'muted' }, 'Trigger'), input),
        el(
          'div',
          { className: 'bar builder' },
          el('span', { className: 'muted' }, 'or build it from the events seen:'),
          typeSelect,
          eventSelect
        ),
        errors
      ),
      errors
    }
  }

  // ——— One subscription ———

  function subscriptionCard(draft) {
    const view = { fields: {} }
    const actionSelect = el(
      'select',
      {
        'aria-label': `Action of ${draft.name}`,
        onchange: (event) => {
          const { subscription } = subscriptionOf(draft)
          draft.partnerAction = event.target.value
          // The fields the new action shares keep their values; the others are dropped, as in Segment.
          const fields = new Set(fieldsOf(draft.partnerAction).map((field) => field.name))
          const kept = Object.fromEntries(Object.entries(subscription.mapping).filter(([key]) => fields.has(key)))
          for (const field of fieldsOf(draft.partnerAction))
            if (!(field.name in kept) && field.default !== undefined) kept[field.name] = field.default
          setMapping(draft, kept)
          changed()
          renderCard(draft)
        }
      },
      Object.entries(state.actions).map(([name, action]) =>
        el('option', { value: name, selected: name === draft.partnerAction ? 'selected' : undefined }, action.title)
      )
    )
    const trigger = triggerEditor(draft)
    view.trigger = trigger.errors
    view.general = el('ul', { className: 'errors general-errors' })
    const shown = fieldsOf(draft.partnerAction).filter((field) => !field.hidden)
    const rows = shown.map((field) => {
      const { row, errors } = fieldEditor(draft, field)
      view.fields[field.name] = errors
      return row
    })
    const advanced = el('pre', { className: 'mapping-json' })
    view.json = advanced
    view.card = el(
      'div',
      { className: `subscription${draft.enabled ? '' : ' disabled'}`, 'data-name': draft.name },
      el(
        'div',
        { className: 'head' },
        el(
          'label',
          {},
          el('input', {
            type: 'checkbox',
            checked: draft.enabled,
            'aria-label': `Enabled: ${draft.name}`,
            onchange: (event) => {
              draft.enabled = event.target.checked
              view.card.classList.toggle('disabled', !draft.enabled)
              changed()
            }
          }),
          ' enabled'
        ),
        el('input', {
          type: 'text',
          value: draft.name,
          'aria-label': `Name of ${draft.name}`,
          oninput: (event) => {
            draft.name = event.target.value
            view.card.dataset.name = draft.name
            changed()
          },
          // Labels name the subscription: they follow its new name once it is typed.
          onchange: () => renderCard(draft)
        }),
        actionSelect,
        el(
          'button',
          {
            type: 'button',
            className: 'small',
            title: 'Remove this subscription',
            onclick: () => {
              state.draft.splice(state.draft.indexOf(draft), 1)
              changed()
              renderSubscriptions()
            }
          },
          'Remove'
        )
      ),
      el('div', { className: 'muted action-description' }, state.actions[draft.partnerAction]?.description ?? ''),
      trigger.node,
      view.general,
      el(
        'details',
        {
          className: 'fields',
          open: draft.open ? 'open' : undefined,
          ontoggle: (event) => (draft.open = event.target.open)
        },
        el(
          'summary',
          {},
          `Field mappings: ${shown.filter((field) => draft.editors[field.name].mode !== 'unmapped').length} of ${shown.length} fields mapped`
        ),
        rows
      ),
      el('details', { className: 'advanced' }, el('summary', {}, 'Advanced: this mapping as JSON'), advanced)
    )
    views.set(draft, view)
    return view.card
  }

  function renderCard(draft) {
    const old = views.get(draft)?.card
    const card = subscriptionCard(draft)
    if (old?.isConnected) old.replaceWith(card)
    showErrors()
  }

  function renderSubscriptions() {
    renderState()
    refreshPaths()
    $('subscriptions').replaceChildren(...state.draft.map(subscriptionCard))
    showErrors()
  }

  /** Every problem, the page's and the stack's, shown beside what it is about, and listed once more at the top after a
   *  refused save. `results` are the drafts' subscriptionOf, worked out once by the caller. */
  function problemsNow(results) {
    const all = []
    state.draft.forEach((draft, index) => {
      const { errors } = results[index]
      for (const [field, message] of Object.entries(errors))
        all.push({ index, name: draft.name, field, rule: 'editor', message: `${field}: ${message}` })
    })
    for (const problem of state.problems) {
      // A field the page already finds wrong is named once, by the page.
      if (problem.field && all.some((mine) => mine.index === problem.index && mine.field === problem.field)) continue
      all.push(problem)
    }
    return all
  }

  function showErrors() {
    const results = state.draft.map(subscriptionOf)
    const all = problemsNow(results)
    state.draft.forEach((draft, index) => {
      const view = views.get(draft)
      if (!view) return
      const mine = all.filter((problem) => problem.index === index)
      const item = (problem) => el('li', {}, problem.message)
      view.trigger.replaceChildren(...mine.filter((p) => p.rule === 'subscribe').map(item))
      const fieldShown = (p) => p.field && view.fields[p.field]
      view.general.replaceChildren(...mine.filter((p) => p.rule !== 'subscribe' && !fieldShown(p)).map(item))
      for (const [name, list] of Object.entries(view.fields)) {
        const ofField = mine.filter((p) => p.field === name)
        list.replaceChildren(...ofField.map(item))
        list.closest('.field-row')?.classList.toggle('invalid', ofField.length > 0)
      }
      // A field with a problem is shown.
      const fields = view.card.querySelector('details.fields')
      if (fields && !fields.open && mine.some(fieldShown)) fields.open = draft.open = true
      view.card.querySelector('.trigger input[type="text"]')?.classList.toggle(
        'invalid',
        mine.some((p) => p.rule === 'subscribe')
      )
      view.json.textContent = json(results[index].subscription.mapping)
    })
    if (state.refused) renderRefused(all)
  }

  /** The list shown after a refused save, kept up to date until the next save. */
  function renderRefused(all) {
    const general = all.filter((problem) => problem.index < 0 || problem.index >= state.draft.length)
    const listed = all.filter((problem) => !general.includes(problem))
    $('save-errors').replaceChildren(
      ...general.map((problem) => el('li', {}, problem.message)),
      ...listed.map((problem) =>
        el(
          'li',
          {},
          `#${problem.index + 1} ${state.draft[problem.index]?.name ?? problem.name ?? ''}: ${problem.message}`
        )
      )
    )
  }

  /** Asks the stack to check the drafts (as a save would, without saving) shortly after the last change. */
  function scheduleCheck() {
    clearTimeout(checkTimer)
    checkTimer = setTimeout(() => void check(), CHECK_DELAY_MS)
  }

  async function check() {
    const run = ++checkRun
    const list = state.draft.map((draft) => subscriptionOf(draft).subscription)
    try {
      const { status, body } = await call('POST', '/_local/mappings/check', { subscriptions: list })
      if (run !== checkRun || status !== 200) return
      state.problems = body.errors
    } catch (error) {
      console.error('check', error)
      return
    }
    showErrors()
    document.body.dataset.checked = String(run)
  }

  async function save() {
    const status = $('save-status')
    clearTimeout(checkTimer)
    const results = state.draft.map(subscriptionOf)
    const mine = problemsNow(results).filter((problem) => problem.rule === 'editor')
    if (mine.length > 0) {
      state.refused = true
      showErrors()
      status.className = 'error'
      status.textContent = `Not saved: ${mine.length} problem(s), listed below and shown where they are.`
      return
    }
    const list = results.map((result) => result.subscription)
    const { status: code, body } = await call('PUT', '/_local/mappings', { subscriptions: list })
    if (code === 200) {
      state.refused = false
      $('save-errors').replaceChildren()
      load(body)
      status.className = 'ok'
      status.textContent = 'Saved. Delivery uses these subscriptions from now on.'
      return
    }
    state.problems = body.errors ?? [{ index: -1, message: body.error ?? `HTTP ${code}` }]
    state.refused = true
    showErrors()
    status.className = 'error'
    status.textContent = `Not saved: ${state.problems.length} problem(s), listed below and shown where they are.`
  }

  async function reset() {
    const { body } = await call('POST', '/_local/mappings/reset')
    state.refused = false
    $('save-errors').replaceChildren()
    load(body)
    $('save-status').className = 'ok'
    $('save-status').textContent = 'Back to the destination’s presets.'
  }

  function addSubscription() {
    const names = new Set(state.draft.map((draft) => draft.name))
    let n = state.draft.length + 1
    while (names.has(`New subscription ${n}`)) n++
    const mapping = {}
    for (const field of fieldsOf('trackEvent')) if (field.default !== undefined) mapping[field.name] = field.default
    const draft = draftOf({
      open: true,
      name: `New subscription ${n}`,
      subscribe: NEW_TRIGGER,
      partnerAction: 'trackEvent',
      enabled: true,
      mapping
    })
    state.draft.push(draft)
    changed()
    $('subscriptions').append(subscriptionCard(draft))
    showErrors()
    views.get(draft).card.scrollIntoView({ block: 'start' })
  }

  /** The types and event names the stack has stored (the explorer's /_local/events), for the trigger builder. */
  async function loadSeen() {
    try {
      const { status, body } = await call('GET', '/_local/events')
      if (status === 200) state.seen = body
    } catch (error) {
      console.error('seen', error)
    }
    $('trigger-suggestions').replaceChildren(
      ...state.seen.events.map((seen) =>
        el('option', {
          value: `type = ${JSON.stringify(seen.type)} and ${seen.type === 'track' ? 'event' : 'name'} = ${JSON.stringify(seen.event)}`
        })
      ),
      ...state.seen.types.map((seen) => el('option', { value: `type = ${JSON.stringify(seen.type)}` }))
    )
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
    const show = () => {
      $('event').value = json(body.samples[Number(select.value)].event)
      // The path pickers list the paths of the event under test.
      refreshPaths()
    }
    select.addEventListener('change', show)
    show()
  }

  async function start() {
    $('save').addEventListener('click', () => void save())
    $('reset').addEventListener('click', () => void reset())
    $('add').addEventListener('click', addSubscription)
    $('test').addEventListener('click', () => void test())
    $('event').addEventListener('change', refreshPaths)
    window.addEventListener('beforeunload', (event) => {
      if (state.dirty) event.preventDefault()
    })
    await loadSeen()
    const { body } = await call('GET', '/_local/mappings')
    load(body)
    await loadSamples()
    document.body.dataset.ready = 'true'
  }

  void start()
})()
