// The conversation page: history from the API, then the live socket (os1.v1) for every event.
// Each event of the signed-in person arrives on every open device, so a turn typed elsewhere
// streams here too.
import { getJSON, postJSON, registerWorker, showPairingCode, signOut } from "/static/api.js";
import { Camera, upload } from "/static/camera.js";
import { HandsFree } from "/static/handsfree.js";
import { Recorder } from "/static/voice.js";

const log = document.getElementById("log");
const form = document.getElementById("composer");
const input = document.getElementById("message");
const connection = document.getElementById("connection");
const notices = document.getElementById("notices");
const spoken = document.getElementById("spoken");
let conversation = null;
let socket = null;
let current = null; // the reply being streamed
let retry = 500;

function entry(who, text, cls = who) {
  const item = document.createElement("li");
  item.className = cls;
  const name = document.createElement("span");
  name.className = "who";
  name.textContent = who === "you" ? "You" : "os1";
  const body = document.createElement("p");
  body.textContent = text;
  item.append(name, body);
  log.append(item);
  item.scrollIntoView({ block: "end" });
  return body;
}

function note(text, cls = "notice") {
  const item = document.createElement("li");
  item.className = cls;
  item.textContent = text;
  log.append(item);
}

const picker = document.getElementById("conversation-pick");

async function listConversations() {
  const all = await getJSON("/api/conversations");
  picker.replaceChildren(
    ...all.map((c) => {
      const option = document.createElement("option");
      option.value = String(c.id);
      const turns = c.turns === 1 ? "1 turn" : `${c.turns} turns`;
      option.textContent = `${new Date(c.updated_at).toLocaleDateString()} · ${turns}`;
      option.selected = c.id === conversation;
      return option;
    }),
  );
  picker.disabled = all.length < 2;
}

picker.addEventListener("change", async () => {
  conversation = Number(picker.value);
  await showHistory(conversation);
});

async function showHistory(id) {
  log.replaceChildren();
  current = null;
  if (id === null) return;
  for (const turn of await getJSON(`/api/conversations/${id}`)) {
    entry("you", turn.user_text);
    entry("os1", turn.reply + (turn.interrupted ? " …" : ""));
  }
}

function remind(event, away = false) {
  const card = document.createElement("p");
  card.className = "initiative";
  card.textContent = (away ? "While you were away: " : "") + event.text + (event.late ? " (this comes late)" : "");
  notices.append(card);
  if ("Notification" in window && Notification.permission === "granted" && document.hidden) {
    new Notification("os1", { body: event.text, tag: `os1-${event.due_at}` });
  }
}

// What os1 said while this device was closed: reminders delivered to the person's other
// devices (or to none) since this device last looked, kept in this browser's storage.
const SEEN = "os1.seen-until";

async function catchUp(show) {
  const said = (await getJSON("/api/reminders?everything=true")).filter((r) => r.delivered_at);
  const seen = Date.parse(localStorage.getItem(SEEN) || "");
  let newest = Number.isNaN(seen) ? 0 : seen;
  for (const reminder of said) {
    const at = Date.parse(reminder.delivered_at);
    if (show && !Number.isNaN(seen) && at > seen) remind(reminder, true);
    newest = Math.max(newest, at);
  }
  localStorage.setItem(SEEN, new Date(newest).toISOString());
}

async function onEvent(frame) {
  const event = frame.event;
  switch (event.type) {
    case "turn_started":
      if (frame.conversation !== conversation) {
        conversation = frame.conversation;
        await showHistory(conversation);
        await listConversations();
      }
      entry("you", event.user_text);
      current = entry("os1", "");
      current.parentElement.setAttribute("aria-busy", "true");
      break;
    case "token_delta":
      if (current) current.textContent += event.text;
      break;
    case "needs_confirmation":
      note(`${event.summary} ${event.items.join("; ")} — answer yes or no.`, "proposal");
      break;
    case "action_result":
      note(event.message, event.done ? "done" : "failed");
      break;
    case "notice":
      note(event.message);
      break;
    case "error":
      note(event.message, "failed");
      break;
    case "turn_committed":
      if (speakNext) {
        speakNext = false;
        say(event.reply);
      }
      if (current) {
        current.textContent = event.reply;
        current.parentElement.setAttribute("aria-busy", "false");
        spoken.textContent = event.reply;
      }
      current = null;
      await listConversations();
      break;
    case "initiative":
      remind(event);
      await catchUp(false);
      break;
  }
}

let queue = Promise.resolve();

async function onFrame(frame) {
  if (frame.type === "hello") {
    conversation = frame.conversation;
    await showHistory(conversation);
    await listConversations();
    await catchUp(true);
    connection.textContent = "Connected";
    connection.dataset.state = "open";
  } else if (frame.type === "event") {
    await onEvent(frame);
  } else if (frame.type === "error") {
    note(frame.message, "failed");
  }
}

function connect() {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  socket = new WebSocket(`${scheme}://${window.location.host}/ws`, ["os1.v1"]);
  socket.addEventListener("open", () => {
    retry = 500;
  });
  socket.addEventListener("message", (message) => {
    // One frame at a time: a history fetch must finish before the next token is shown.
    queue = queue.then(() => onFrame(JSON.parse(message.data))).catch(() => {});
  });
  socket.addEventListener("close", () => {
    getJSON("/api/me").catch(() => {}); // signed out or revoked: back to the sign-in page
    connection.textContent = "Offline; reconnecting…";
    connection.dataset.state = "closed";
    setTimeout(connect, retry);
    retry = Math.min(retry * 2, 10000);
  });
}

function send(text, fresh = false, photo = {}) {
  if (!socket || socket.readyState !== WebSocket.OPEN) {
    note("Not connected yet; try again in a moment.", "failed");
    return false;
  }
  socket.send(
    JSON.stringify({ type: "message", text, conversation: fresh ? null : conversation, new: fresh, ...photo }),
  );
  return true;
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (text && send(text)) input.value = "";
  input.focus();
});
input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    form.requestSubmit();
  }
});
document.getElementById("new-conversation").addEventListener("click", async () => {
  const text = input.value.trim();
  conversation = null;
  await showHistory(null);
  if (text && send(text, true)) input.value = "";
  input.focus();
});
// The camera: on only when started here, with its indicator; one frame sent per "Take photo".
new Camera(
  {
    button: document.getElementById("camera"),
    panel: document.getElementById("camera-panel"),
    view: document.getElementById("camera-view"),
    take: document.getElementById("camera-take"),
    keep: document.getElementById("camera-keep"),
    stop: document.getElementById("camera-stop"),
  },
  async (photo, keep) => {
    const image = await upload(photo, (problem) => note(problem, "failed"));
    if (image && send(input.value.trim(), false, { image, keep })) input.value = "";
  },
  (problem) => note(problem, "failed"),
);
document.getElementById("sign-out").addEventListener("click", signOut);
document.getElementById("pair-device").addEventListener("click", () =>
  showPairingCode(document.getElementById("pairing")),
);
const allow = document.getElementById("allow-notifications");
if ("Notification" in window && Notification.permission === "default") {
  allow.hidden = false;
  allow.addEventListener("click", async () => {
    await Notification.requestPermission();
    allow.hidden = true;
  });
}

// Voice: "Talk" records until pressed again; the words go as a message, the reply is spoken.
const talk = document.getElementById("talk");
const voiceOut = document.getElementById("voice-out");
let recorder = null;
let speakNext = false;

async function say(text) {
  const answer = await postJSON("/api/voice/speak", { text });
  if (!answer.ok) return;
  voiceOut.src = URL.createObjectURL(await answer.blob());
  voiceOut.play().catch(() => {});
}

talk.addEventListener("click", async () => {
  if (recorder === null) {
    try {
      recorder = new Recorder();
      await recorder.start();
    } catch {
      recorder = null;
      note("I can't hear you: allow the microphone for this site.", "failed");
      return;
    }
    talk.setAttribute("aria-pressed", "true");
    talk.textContent = "Stop";
    return;
  }
  const audio = await recorder.stop();
  recorder = null;
  talk.setAttribute("aria-pressed", "false");
  talk.textContent = "Talk";
  const answer = await fetch("/api/voice/transcribe", {
    method: "POST",
    headers: { "content-type": "audio/wav" },
    body: audio,
    credentials: "same-origin",
  });
  const heard = answer.ok ? (await answer.json()).text : "";
  if (!heard) {
    note(answer.ok ? "I didn't catch that; try again a little closer." : "Voice is not available here.", "failed");
    return;
  }
  speakNext = send(heard);
});

// Hands-free: os1 listens until pressed again, answers aloud, and stops when spoken over.
// The button says whether the microphone is open: it never is without it saying so.
const handsFree = document.getElementById("hands-free");
let talking = null;

function showHandsFree(state, detail) {
  handsFree.dataset.state = state;
  const on = state === "listening" || state === "speaking";
  handsFree.setAttribute("aria-pressed", on ? "true" : "false");
  handsFree.textContent = !on ? "Hands-free" : state === "speaking" ? "Stop (os1 is speaking)" : "Stop (listening)";
  if (state === "error") note(detail || "Hands-free stopped.", "failed");
  if (!on) talking = null;
}

handsFree.addEventListener("click", async () => {
  if (talking) {
    talking.stop();
    return;
  }
  talking = new HandsFree(showHandsFree);
  try {
    await talking.start(conversation);
  } catch {
    talking?.stop();
    note("I can't hear you: allow the microphone for this site.", "failed");
  }
});

registerWorker();
connect();
