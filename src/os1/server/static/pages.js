// The smaller pages: reminders, who os1 is (persona and journal), the audit log, settings.
import { getJSON, postJSON, registerWorker, showPairingCode, signOut, when } from "/static/api.js";

const status = document.getElementById("page-status");

function item(text, ...buttons) {
  const li = document.createElement("li");
  const p = document.createElement("p");
  p.textContent = text;
  li.append(p, ...buttons);
  return li;
}

function button(label, name, action) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "quiet";
  b.textContent = label;
  b.setAttribute("aria-label", name);
  b.addEventListener("click", action);
  return b;
}

async function remove(url) {
  const answer = await fetch(url, { method: "DELETE", credentials: "same-origin" });
  return answer.ok;
}

async function reminders() {
  const all = await getJSON("/api/reminders?everything=true");
  const waiting = all.filter((r) => r.status === "scheduled");
  document.getElementById("reminders").replaceChildren(
    ...waiting.map((r) => {
      const li = item(`${when(r.due_at)} — ${r.text}`);
      li.append(
        button("Cancel", `Cancel: ${r.text}`, async () => {
          if (await remove(`/api/reminders/${r.id}`)) {
            li.remove();
            status.textContent = "Cancelled.";
          }
        }),
      );
      return li;
    }),
  );
  document.getElementById("past").replaceChildren(
    ...all.filter((r) => r.status !== "scheduled").map((r) => item(`${when(r.due_at)} — ${r.text} (${r.status})`)),
  );
  status.textContent = waiting.length
    ? `${waiting.length} waiting.`
    : "Nothing waiting. Say “remind me to … tomorrow at 9” in a conversation.";
}

async function persona() {
  const card = document.getElementById("persona");
  const answer = await fetch("/api/persona", { credentials: "same-origin" });
  if (answer.ok) {
    const p = await answer.json();
    const rows = [
      ["Name", `${p.name}${p.name_reason ? ` — ${p.name_reason}` : ""}`],
      ["Temperament", p.temperament],
      ["Talks", p.voice],
      ["Cares about", (p.values || []).join(", ")],
      ["With you", p.relationship],
    ];
    card.replaceChildren(
      ...rows.flatMap(([term, value]) => {
        const dt = document.createElement("dt");
        dt.textContent = term;
        const dd = document.createElement("dd");
        dd.textContent = value || "—";
        return [dt, dd];
      }),
    );
    status.textContent = "";
    showInterests(p);
  } else {
    card.hidden = true;
    status.textContent = "os1 has no persona yet: say “let's get to know each other” in a conversation.";
  }
  const entries = await getJSON("/api/journal");
  document.getElementById("journal").replaceChildren(...entries.map((e) => item(`${when(e.written_at)} — ${e.text}`)));
}

async function pin(interest, keep) {
  const answer = await postJSON("/api/persona/pins", { interest, keep });
  if (!answer.ok) {
    status.textContent = (await answer.json()).detail || "That did not work.";
    return;
  }
  status.textContent = keep ? `Pinned ${interest.toLowerCase()}.` : `Unpinned ${interest}.`;
  showInterests(await answer.json());
}

function showInterests(card) {
  document.getElementById("interests-section").hidden = false;
  const pinned = new Set(card.pinned || []);
  document.getElementById("interests").replaceChildren(
    ...(card.interests || []).map((interest) => {
      const kept = pinned.has(interest);
      return item(
        `${interest}${kept ? " (pinned)" : ""}`,
        button(kept ? "Unpin" : "Pin", `${kept ? "Unpin" : "Pin"} ${interest}`, () => pin(interest, !kept)),
      );
    }),
  );
}

document.getElementById("pin-form")?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const field = document.getElementById("new-interest");
  await pin(field.value.trim(), true);
  field.value = "";
});

document.getElementById("reset-persona")?.addEventListener("click", async () => {
  if (!window.confirm("Go back to who os1 was after you first met? Its name stays.")) return;
  const answer = await postJSON("/api/persona/reset", {});
  if (answer.ok) {
    await persona();
    status.textContent = "os1 is back to who it was after you first met.";
  } else {
    status.textContent = (await answer.json()).detail || "That did not work.";
  }
});

async function audit() {
  const entries = await getJSON("/api/audit?last=500");
  const body = document.querySelector("#audit tbody");
  body.replaceChildren(
    ...entries.map((e) => {
      const tr = document.createElement("tr");
      for (const value of [when(e.at), e.skill, e.status, JSON.stringify(e.arguments), e.result, e.confirmed_by]) {
        const td = document.createElement("td");
        td.textContent = value;
        tr.append(td);
      }
      return tr;
    }),
  );
  status.textContent = entries.length ? `${entries.length} entries.` : "Nothing proposed or done yet.";
}

async function settings() {
  const me = await getJSON("/api/me");
  const devices = await getJSON("/api/devices");
  document.getElementById("devices").replaceChildren(
    ...devices.map((d) => {
      const seen = d.last_seen_at ? `last seen ${when(d.last_seen_at)}` : "never seen";
      const mine = d.id === me.device_id ? " (this device)" : "";
      const li = item(`${d.name}${mine} — paired ${when(d.created_at)}, ${d.revoked ? "revoked" : seen}`);
      if (!d.revoked) {
        li.append(
          button("Revoke", `Revoke ${d.name}`, async () => {
            if (await remove(`/api/devices/${d.id}`)) {
              status.textContent = `${d.name} can no longer sign in.`;
              settings();
            }
          }),
        );
      }
      return li;
    }),
  );
  if (!devices.length) status.textContent = `Signed in as ${me.user}. No paired devices yet.`;
  await preferences();
  const state = document.getElementById("notify-state");
  const allow = document.getElementById("allow-notifications");
  const permission = "Notification" in window ? Notification.permission : "unsupported";
  state.textContent = {
    granted: "Reminders also come as notifications while os1 is open in the background.",
    denied: "Notifications are blocked in this browser's site settings; reminders still show in the page.",
    default: "Reminders show in the page; allow notifications to see them while os1 is in the background.",
    unsupported: "This browser has no notifications; reminders show in the page.",
  }[permission];
  allow.hidden = permission !== "default";
  allow.onclick = async () => {
    await Notification.requestPermission();
    settings();
  };
}

async function letters() {
  const all = await getJSON("/api/letters");
  document.getElementById("letters").replaceChildren(
    ...all.map((letter) => {
      const current = letter.versions[letter.versions.length - 1];
      const article = document.createElement("article");
      article.className = "card";
      const heading = document.createElement("h3");
      heading.textContent = `${letter.client} to ${letter.recipient}: ${letter.occasion}`;
      const meta = document.createElement("p");
      meta.className = "status";
      meta.textContent = `Version ${current.number} of ${letter.versions.length}, ${when(current.created_at)}`;
      const text = document.createElement("p");
      text.className = "letter";
      text.textContent = current.text;
      article.append(heading, meta, text);
      if (current.unconfirmed.length) {
        const check = document.createElement("p");
        check.textContent = `To confirm before sending: ${current.unconfirmed.join(", ")}`;
        article.append(check);
      }
      return article;
    }),
  );
  status.textContent = all.length
    ? `${all.length} ${all.length === 1 ? "letter" : "letters"}. Revise them in a conversation or with os1 letters.`
    : "No letters yet. Say “help me write to my sister for her birthday” in a conversation.";
}

// Each person's own "when os1 speaks first", over the server's settings.
async function preferences() {
  const form = document.getElementById("preferences");
  const saved = document.getElementById("preferences-status");
  const show = (p) => {
    const [from, until] = p.quiet_hours.split("-");
    form.initiative.checked = p.initiative;
    form["quiet-from"].value = from.padStart(5, "0");
    form["quiet-until"].value = until.padStart(5, "0");
    form.daily.value = p.daily_initiatives;
  };
  show(await getJSON("/api/preferences"));
  form.onsubmit = async (event) => {
    event.preventDefault();
    const answer = await fetch("/api/preferences", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify({
        initiative: form.initiative.checked,
        quiet_hours: `${form["quiet-from"].value}-${form["quiet-until"].value}`,
        daily_initiatives: Number(form.daily.value),
      }),
    });
    if (answer.ok) {
      show(await answer.json());
      saved.textContent = "Saved.";
    } else {
      saved.textContent = "That could not be saved: check the times and the number.";
    }
  };
}

document.getElementById("pair-device")?.addEventListener("click", () =>
  showPairingCode(document.getElementById("pairing")),
);

const pages = { reminders, persona, letters, audit, settings };
document.getElementById("sign-out").addEventListener("click", signOut);
registerWorker();
pages[document.body.dataset.page]().catch(() => {
  status.textContent = "Could not load this page.";
});
