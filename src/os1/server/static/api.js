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
