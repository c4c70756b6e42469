// The article editor's media: "Insert image" (uploaded to the media library),
// "Embed" and pasted provider URLs (players through the server's one allowlist),
// and nodes for the markup articles.html.sanitize_html keeps, so a body with a
// player, an audio/video element or a linked image survives opening and saving.
//
// Loaded by django-prose-editor's configurable preset (DJANGO_PROSE_EDITOR_EXTENSIONS
// in newsroom/settings.py); configured by EDITOR_EXTENSIONS in articles/models.py:
//   NewsroomMedia: { uploadUrl, embedUrl }
// No inline script or style: the admin's Content-Security-Policy forbids both.

import {
  Extension,
  Image as BaseImage,
  Node,
  Plugin,
  crel,
  gettext,
} from "django-prose-editor/editor"

const csrfToken = () =>
  document.querySelector("input[name=csrfmiddlewaretoken]")?.value || ""

// A modal form in the editor's own dialog style; `fields` are <input>s.
// `submit(values)` resolves to an error message (shown, dialog stays) or null.
const openDialog = (editor, { title, fields, submitText, submit }) => {
  // Shown only with a message (the admin's .errornote is display: block, hidden or not).
  const error = crel("p", { className: "errornote" })
  error.setAttribute("role", "alert")
  const ok = crel("button", { type: "submit", textContent: submitText })
  const cancel = crel("button", { type: "button", textContent: gettext("Cancel") })
  const form = crel("form", { method: "dialog" }, [
    crel("h3", { className: "prose-editor-dialog-title", textContent: title }),
    ...fields.map(({ label, input }) =>
      crel("div", { className: "prose-editor-dialog-field" }, [
        crel("label", { htmlFor: input.id, textContent: label }),
        input,
      ]),
    ),
    crel("div", { className: "prose-editor-dialog-buttons" }, [ok, cancel]),
  ])
  const dialog = crel("dialog", { className: "prose-editor-dialog" }, [form])
  editor.view.dom.parentElement.append(dialog)
  cancel.addEventListener("click", () => dialog.close())
  dialog.addEventListener("close", () => dialog.remove())
  form.addEventListener("submit", async (event) => {
    event.preventDefault()
    if (!form.reportValidity()) return
    ok.disabled = true
    const message = await submit()
    ok.disabled = false
    if (message) {
      error.textContent = message
      form.lastElementChild.before(error)
    } else {
      dialog.close()
    }
  })
  dialog.showModal()
}

let fieldId = 0
const input = (attrs) => crel("input", { id: `newsroom-media-${++fieldId}`, ...attrs })

const readJson = async (response) => {
  try {
    return await response.json()
  } catch {
    return { message: `${response.status} ${response.statusText}` }
  }
}

const askForEmbed = async (embedUrl, url) => {
  const response = await fetch(`${embedUrl}?${new URLSearchParams({ url })}`, {
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  })
  const data = await readJson(response)
  return response.ok ? { embed: data } : { message: data.message }
}

const embedContent = ({ src, title }) => ({
  type: "embedFigure",
  content: [{ type: "embed", attrs: { src, title } }],
})

// A figure inserted last gets an empty paragraph after it, to go on writing in.
const insertBlock = (editor, block) => {
  const { $head } = editor.state.selection
  const last = $head.depth === 0 || $head.after(1) >= editor.state.doc.content.size
  editor.chain().focus().insertContent(last ? [block, { type: "paragraph" }] : block).run()
}

// A provider's player: <iframe src title loading="lazy">, alone or in a <figure>.
const Embed = Node.create({
  name: "embed",
  group: "block",
  atom: true,
  draggable: true,
  addAttributes() {
    return { src: { default: null }, title: { default: null } }
  },
  parseHTML() {
    return [{ tag: "iframe[src]" }]
  },
  renderHTML({ HTMLAttributes }) {
    return ["iframe", { ...HTMLAttributes, loading: "lazy" }]
  },
})

const EmbedFigure = Node.create({
  name: "embedFigure",
  group: "block",
  content: "embed caption?",
  isolating: true,
  draggable: true,
  parseHTML() {
    // Before the image figure (priority 50): a figure holding a player.
    return [
      {
        tag: "figure",
        priority: 60,
        getAttrs: (element) => (element.querySelector(":scope > iframe") ? {} : false),
      },
    ]
  },
  renderHTML() {
    return ["figure", 0]
  },
})

// <audio>/<video> with their <source>s, kept as they are.
const PLAYER_ATTRIBUTES = ["src", "poster", "preload", "width", "height"]
const MediaPlayer = Node.create({
  name: "mediaPlayer",
  group: "block",
  atom: true,
  addAttributes() {
    return {
      tag: { default: "video" },
      ...Object.fromEntries(PLAYER_ATTRIBUTES.map((name) => [name, { default: null }])),
      sources: {
        default: [],
        parseHTML: (element) =>
          [...element.querySelectorAll("source[src]")].map((source) => ({
            src: source.getAttribute("src"),
            type: source.getAttribute("type"),
          })),
        renderHTML: () => ({}),
      },
    }
  },
  parseHTML() {
    return ["audio", "video"].map((tag) => ({
      tag,
      getAttrs: (element) => ({
        tag,
        ...Object.fromEntries(PLAYER_ATTRIBUTES.map((name) => [name, element.getAttribute(name)])),
      }),
    }))
  },
  renderHTML({ node }) {
    const attrs = { controls: "" }
    for (const name of PLAYER_ATTRIBUTES) {
      if (node.attrs[name] && (name !== "poster" || node.attrs.tag === "video")) {
        attrs[name] = node.attrs[name]
      }
    }
    const sources = node.attrs.sources.map(({ src, type }) => [
      "source",
      type ? { src, type } : { src },
    ])
    return [node.attrs.tag, attrs, ...sources]
  },
})

// WordPress's alignment classes, the only classes sanitize_html keeps.
const ALIGNMENT = new Set([
  "alignleft",
  "alignright",
  "aligncenter",
  "alignnone",
  "alignwide",
  "alignfull",
])

// The image (django-prose-editor's, replaced by this export): an image that
// links somewhere (an imported photo linking to its original) keeps its link,
// and an aligned one its alignment.
export const Image = BaseImage.extend({
  addAttributes() {
    return {
      ...this.parent?.(),
      class: {
        default: null,
        parseHTML: (element) =>
          [...element.classList].filter((name) => ALIGNMENT.has(name)).join(" ") || null,
        renderHTML: (attributes) => (attributes.class ? { class: attributes.class } : {}),
      },
      href: {
        default: null,
        parseHTML: (element) => element.closest("a[href]")?.getAttribute("href") || null,
        renderHTML: () => ({}),
      },
    }
  },
  renderHTML({ node, HTMLAttributes }) {
    const img = ["img", HTMLAttributes]
    return node.attrs.href ? ["a", { href: node.attrs.href }, img] : img
  },
})

const uploadImage = (editor, uploadUrl) => {
  const file = input({ type: "file", name: "file", accept: "image/*", required: true })
  const alt = input({ type: "text", name: "alt", size: 50, required: true, maxLength: 300 })
  const caption = input({ type: "text", name: "caption", size: 50 })
  openDialog(editor, {
    title: gettext("Insert image"),
    submitText: gettext("Upload and insert"),
    fields: [
      { label: gettext("Image file"), input: file },
      { label: gettext("Alt text (required: what the image shows)"), input: alt },
      { label: gettext("Caption (optional)"), input: caption },
    ],
    submit: async () => {
      if (!alt.value.trim()) return gettext("Describe the image in the alt text.")
      const body = new FormData()
      body.append("file", file.files[0])
      body.append("alt", alt.value.trim())
      body.append("caption", caption.value.trim())
      let response
      try {
        response = await fetch(uploadUrl, {
          method: "POST",
          body,
          credentials: "same-origin",
          headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
        })
      } catch {
        return gettext("The upload failed: the server could not be reached.")
      }
      const data = await readJson(response)
      if (!response.ok) return data.message
      const content = [{ type: "image", attrs: { src: data.src, alt: alt.value.trim() } }]
      if (caption.value.trim()) {
        content.push({ type: "caption", content: [{ type: "text", text: caption.value.trim() }] })
      }
      insertBlock(editor, { type: "figure", content })
      return null
    },
  })
}

const insertEmbed = (editor, embedUrl) => {
  const url = input({ type: "url", name: "url", size: 50, required: true })
  openDialog(editor, {
    title: gettext("Embed a video, track or post"),
    submitText: gettext("Embed"),
    fields: [{ label: gettext("Address of the video, track or post"), input: url }],
    submit: async () => {
      const { embed, message } = await askForEmbed(embedUrl, url.value.trim())
      if (!embed) return message
      insertBlock(editor, embedContent(embed))
      return null
    },
  })
}

const LONE_URL = /^https?:\/\/\S+$/

export const NewsroomMedia = Extension.create({
  name: "newsroomMedia",

  addOptions() {
    return { uploadUrl: null, embedUrl: null }
  },

  addExtensions() {
    return [Embed, EmbedFigure, MediaPlayer]
  },

  addMenuItems({ menu, buttons }) {
    const { uploadUrl, embedUrl } = this.options
    // Replaces django-prose-editor's "figure" item (an image by URL).
    menu.defineItem({
      name: "figure",
      groups: "nodes",
      command: (editor) => uploadImage(editor, uploadUrl),
      button: buttons.material("add_photo_alternate", gettext("Insert image")),
    })
    menu.defineItem({
      name: "embed",
      groups: "nodes",
      command: (editor) => insertEmbed(editor, embedUrl),
      button: buttons.material("smart_display", gettext("Embed a video, track or post")),
    })
  },

  addProseMirrorPlugins() {
    const { embedUrl } = this.options
    const editor = this.editor
    return [
      new Plugin({
        props: {
          // A provider URL pasted on its own becomes its player; any other
          // URL is pasted as text, as it would have been.
          handlePaste: (view, event) => {
            const text = event.clipboardData?.getData("text/plain")?.trim() || ""
            if (!embedUrl || !view.state.selection.empty || !LONE_URL.test(text)) return false
            askForEmbed(embedUrl, text).then(({ embed }) => {
              if (embed) insertBlock(editor, embedContent(embed))
              else view.dispatch(view.state.tr.insertText(text))
            })
            return true
          },
        },
      }),
    ]
  },
})
