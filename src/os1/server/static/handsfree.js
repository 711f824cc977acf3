// Hands-free: the microphone streams to /ws/talk while the page is listening; os1 decides
// when a turn ends, answers clause by clause, and stops when spoken over (the same pipeline
// as `os1 talk`). The words of every turn still arrive over the page's own socket.

const FRAME = 512; // samples per frame sent: 32 ms at 16 kHz, the pipeline's own frame

export class HandsFree {
  constructor(onChange) {
    this.onChange = onChange; // (state, detail) => void: "listening", "speaking", "stopped", "error"
    this.sources = new Set();
    this.clips = 0;
  }

  async start(conversation) {
    this.stream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    });
    // The context runs at the pipeline's rate, so the browser resamples the microphone itself.
    this.context = new AudioContext({ sampleRate: 16000 });
    await this.context.audioWorklet.addModule("/static/mic-worklet.js");
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    const query = conversation ? `?conversation=${conversation}` : "";
    this.socket = new WebSocket(`${scheme}://${window.location.host}/ws/talk${query}`, "os1.talk.v1");
    this.socket.binaryType = "arraybuffer";
    this.decoding = Promise.resolve();
    this.generation = 0;
    this.nextAt = 0;
    this.socket.addEventListener("message", (message) => {
      if (typeof message.data === "string") this.control(JSON.parse(message.data));
      else this.play(message.data);
    });
    this.socket.addEventListener("close", (event) => {
      if (this.context) this.onChange("error", event.reason || "The voice connection closed.");
      this.stop();
    });
    await new Promise((resolve, reject) => {
      this.socket.addEventListener("open", resolve, { once: true });
      this.socket.addEventListener("error", reject, { once: true });
    });
    const source = this.context.createMediaStreamSource(this.stream);
    const node = new AudioWorkletNode(this.context, "os1-microphone");
    let pending = new Float32Array(0);
    node.port.onmessage = ({ data }) => {
      const joined = new Float32Array(pending.length + data.length);
      joined.set(pending);
      joined.set(data, pending.length);
      pending = joined;
      while (pending.length >= FRAME) {
        this.send(pending.subarray(0, FRAME));
        pending = pending.slice(FRAME);
      }
    };
    const silent = this.context.createGain();
    silent.gain.value = 0;
    source.connect(node).connect(silent).connect(this.context.destination);
    this.onChange("listening");
  }

  send(samples) {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    const pcm = new Int16Array(samples.length);
    for (let i = 0; i < samples.length; i++) pcm[i] = Math.max(-1, Math.min(1, samples[i])) * 0x7fff;
    this.socket.send(pcm.buffer);
  }

  // Clips are decoded in the order they came and played one after another.
  play(data) {
    const generation = this.generation;
    this.decoding = this.decoding.then(async () => {
      const audio = await this.context.decodeAudioData(data).catch(() => null);
      if (!audio || generation !== this.generation || !this.context) return;
      const node = this.context.createBufferSource();
      node.buffer = audio;
      node.connect(this.context.destination);
      const at = Math.max(this.context.currentTime, this.nextAt);
      node.start(at);
      this.nextAt = at + audio.duration;
      this.sources.add(node);
      this.clips += 1;
      this.onChange("speaking", this.clips);
      node.addEventListener("ended", () => {
        this.sources.delete(node);
        if (!this.sources.size) this.onChange("listening");
      });
    });
  }

  control(frame) {
    if (frame.type === "stop") {
      this.generation += 1;
      for (const node of this.sources) node.stop();
      this.sources.clear();
      this.nextAt = 0;
      this.onChange("listening");
    } else if (frame.type === "error") {
      this.onChange("error", frame.message);
    }
  }

  stop() {
    const context = this.context;
    this.context = null;
    this.generation += 1;
    if (this.socket && this.socket.readyState <= WebSocket.OPEN) this.socket.close(1000, "stopped");
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    if (context) context.close().catch(() => {});
    this.onChange("stopped");
  }
}
