// The camera: off until the person starts it, never on without the indicator on screen, and a
// frame leaves the page only when the person takes it (one still JPEG, sent with their words).
// Stopping, leaving the page or hiding it turns the camera off.

export class Camera {
  constructor({ button, panel, view, take, keep, stop }, onShot, onProblem) {
    this.button = button;
    this.panel = panel;
    this.view = view;
    this.keep = keep;
    this.onShot = onShot;
    this.onProblem = onProblem;
    this.stream = null;
    button.addEventListener("click", () => (this.stream ? this.stop() : this.start()));
    take.addEventListener("click", () => this.shoot());
    stop.addEventListener("click", () => this.stop());
    window.addEventListener("pagehide", () => this.stop());
    document.addEventListener("visibilitychange", () => document.hidden && this.stop());
  }

  async start() {
    if (!navigator.mediaDevices?.getUserMedia) {
      this.onProblem("This browser cannot use a camera here (it needs https or this computer).");
      return;
    }
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: "environment", width: { ideal: 1280 } },
        audio: false,
      });
    } catch {
      this.stream = null;
      this.onProblem("I can't see through the camera: allow it for this site.");
      return;
    }
    this.view.srcObject = this.stream;
    await this.view.play().catch(() => {});
    this.panel.hidden = false; // the indicator is part of the panel: on screen whenever the camera is
    this.button.setAttribute("aria-pressed", "true");
    this.button.textContent = "Camera on";
  }

  stop() {
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = null;
    this.view.srcObject = null;
    this.panel.hidden = true;
    this.keep.checked = false;
    this.button.setAttribute("aria-pressed", "false");
    this.button.textContent = "Camera";
  }

  async shoot() {
    if (!this.stream || !this.view.videoWidth) return;
    const canvas = document.createElement("canvas");
    canvas.width = this.view.videoWidth;
    canvas.height = this.view.videoHeight;
    canvas.getContext("2d").drawImage(this.view, 0, 0);
    const frame = await new Promise((done) => canvas.toBlob(done, "image/jpeg", 0.9));
    if (frame) await this.onShot(frame, this.keep.checked);
  }
}

// Post a photo to the server; its id, or null with the server's reason shown.
export async function upload(photo, onProblem) {
  const answer = await fetch("/api/images", {
    method: "POST",
    body: photo,
    headers: { "content-type": photo.type || "application/octet-stream" },
    credentials: "same-origin",
  });
  const body = await answer.json().catch(() => ({}));
  if (!answer.ok) {
    onProblem(body.detail || `The photo could not be sent (${answer.status}).`);
    return null;
  }
  return body.image;
}
