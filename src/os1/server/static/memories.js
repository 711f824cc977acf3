// The memories page: everything os1 remembers, each one correctable or forgettable.
import { getJSON, postJSON, registerWorker, signOut } from "/static/api.js";

const list = document.getElementById("memories");
const status = document.getElementById("memories-status");

function row(memory) {
  const item = document.createElement("li");
  const form = document.createElement("form");
  const label = document.createElement("label");
  label.htmlFor = `memory-${memory.id}`;
  label.textContent = `${memory.kind}, noted ${new Date(memory.created_at).toLocaleDateString()}`;
  const text = document.createElement("input");
  text.id = `memory-${memory.id}`;
  text.value = memory.content;
  text.required = true;
  const save = document.createElement("button");
  save.type = "submit";
  save.textContent = "Save";
  const forget = document.createElement("button");
  forget.type = "button";
  forget.className = "quiet";
  forget.textContent = "Forget";
  forget.setAttribute("aria-label", `Forget: ${memory.content}`);
  form.append(label, text, save, forget);
  item.append(form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const answer = await postJSON(`/api/memories/${memory.id}`, { content: text.value }, "PATCH");
    status.textContent = answer.ok ? "Saved." : "Could not save that.";
  });
  forget.addEventListener("click", async () => {
    if (!window.confirm(`Forget “${memory.content}”?`)) return;
    const answer = await fetch(`/api/memories/${memory.id}`, { method: "DELETE", credentials: "same-origin" });
    if (answer.ok) {
      item.remove();
      status.textContent = "Forgotten.";
    }
  });
  return item;
}

async function load() {
  const memories = await getJSON("/api/memories");
  list.replaceChildren(...memories.map(row));
  status.textContent = memories.length
    ? `${memories.length} ${memories.length === 1 ? "memory" : "memories"}.`
    : "Nothing remembered yet. Talk with os1 and it will note what matters.";
}

document.getElementById("sign-out").addEventListener("click", signOut);
registerWorker();
load();
