// Talking to the os1 server: JSON over fetch, same origin only, credentials in the cookie.

export async function postJSON(url, body, method = "POST") {
  return fetch(url, {
    method,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    credentials: "same-origin",
  });
}

export async function getJSON(url) {
  const answer = await fetch(url, { credentials: "same-origin" });
  if (answer.status === 401) {
    window.location.assign("/login");
    throw new Error("signed out");
  }
  if (!answer.ok) throw new Error(`${url}: ${answer.status}`);
  return answer.json();
}

export async function signOut() {
  await fetch("/api/session", { method: "DELETE", credentials: "same-origin" });
  window.location.assign("/login");
}

export function registerWorker() {
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(() => {});
}

export async function showPairingCode(shown) {
  const answer = await postJSON("/api/devices/code", {});
  shown.replaceChildren();
  if (answer.ok) {
    const { code, minutes, link, qr } = await answer.json();
    const words = document.createElement("p");
    words.textContent = `Pairing code: ${code.slice(0, 4)}-${code.slice(4)} — type it on the new device's sign-in page within ${minutes} minutes, or scan this with the new device's camera:`;
    const image = document.createElement("img");
    image.src = qr;
    image.alt = `QR code that opens ${link.split("#")[0]} with the pairing code filled in`;
    image.className = "qr";
    shown.append(words, image);
  } else {
    shown.textContent = "Could not make a pairing code.";
  }
  shown.hidden = false;
}

export function when(iso) {
  return new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
}
