// Signing in: the session comes back as an HttpOnly cookie, so this page never holds it.
import { postJSON } from "/static/api.js";

function wire(formId, errorId, url, body) {
  const form = document.getElementById(formId);
  const error = document.getElementById(errorId);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const answer = await postJSON(url, body(new FormData(form)));
    if (answer.ok) {
      window.location.assign("/");
    } else {
      error.textContent = (await answer.json().catch(() => ({}))).detail || "That did not work.";
    }
  });
}

wire("sign-in", "sign-in-error", "/api/session", (data) => ({
  user: data.get("user"),
  password: data.get("password"),
}));
wire("pair", "pair-error", "/api/devices", (data) => ({ code: data.get("code"), name: data.get("name") }));

// A scanned pairing QR code opens this page with the code after "#", which never reaches
// the server; it fills the form and is then taken out of the address bar and history.
const scanned = new URLSearchParams(window.location.hash.slice(1)).get("pair");
if (scanned) {
  document.getElementById("code").value = scanned;
  history.replaceState(null, "", window.location.pathname);
  document.getElementById("device-name").focus();
}
