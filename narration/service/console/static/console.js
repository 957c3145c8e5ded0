// The console's live parts: job rows and a job's progress refresh themselves, the player starts
// on the job's HLS stream while it renders and moves to the finished file, chapters seek.
"use strict";

const FINAL = new Set(["succeeded", "failed", "cancelled"]);

async function fragment(url) {
  const answer = await fetch(url, { credentials: "same-origin", cache: "no-store" });
  if (answer.status === 401) {
    location.assign("/console/sign-in?next=" + encodeURIComponent(location.pathname));
    return null;
  }
  return answer.ok ? answer.text() : null;
}

function clock(seconds) {
  const whole = Math.round(seconds);
  const h = Math.floor(whole / 3600), m = Math.floor((whole % 3600) / 60), s = whole % 60;
  const mm = h ? String(m).padStart(2, "0") : String(m);
  return (h ? h + ":" : "") + mm + ":" + String(s).padStart(2, "0");
}

function showClocks(root) {
  root.querySelectorAll("[data-clock]").forEach((el) => {
    el.textContent = clock(parseFloat(el.dataset.clock));
  });
}

function watchJobList(body) {
  const refresh = async () => {
    if (!body.querySelector("tr[data-active]")) return;
    const html = await fragment(body.dataset.refresh);
    if (html !== null) body.innerHTML = html;
  };
  setInterval(refresh, 2000);
}

class Player {
  constructor(audio, note) {
    this.audio = audio;
    this.note = note;
    this.hls = null;
  }

  startStream() {
    const url = this.audio.dataset.hls;
    if (!url) {
      this.say("This job was submitted without a stream; the audio plays when it is done.");
      return;
    }
    this.audio.dataset.source = "hls";
    const hlsJs = window.Hls && window.Hls.isSupported();
    if (!hlsJs && !this.audio.canPlayType("application/vnd.apple.mpegurl")) {
      this.say("This browser cannot play the stream; the audio plays when it is done.");
      return;
    }
    this.say("Streaming while the job renders: what you hear is not mastered yet.");
    // hls.js takes the media element now (the browser's media source opens meanwhile) and the
    // playlist once it lists a segment.
    if (hlsJs) this.attachHls();
    this.whenSegmentListed(url, () => {
      if (!hlsJs) this.audio.src = url;
      else if (this.hls) this.hls.loadSource(url);
    });
  }

  // A player given a playlist with no segment yet waits a target duration or more before it
  // looks again; looking here every tenth of a second lets it start as soon as one exists.
  async whenSegmentListed(url, start) {
    while (this.audio.dataset.source === "hls") {
      try {
        const answer = await fetch(url, { cache: "no-store", credentials: "same-origin" });
        if (answer.ok && /^[^#\s].*\.ts\s*$/m.test(await answer.text())) {
          start();
          return;
        }
      } catch (_) {
        // The service restarting, or a dropped connection: look again.
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  attachHls() {
    // From the first segment, not the live edge: a listener starts at the beginning.
    this.hls = new window.Hls({ startPosition: 0 });
    this.hls.on(window.Hls.Events.ERROR, (_, data) => {
      // A dropped connection: start again once the playlist answers.
      if (!data.fatal || this.audio.dataset.source !== "hls") return;
      this.hls.destroy();
      this.hls = null;
      setTimeout(() => {
        if (this.audio.dataset.source === "hls") this.startStream();
      }, 1000);
    });
    this.hls.attachMedia(this.audio);
  }

  playFile() {
    if (this.audio.dataset.source === "file") return;
    const at = this.audio.currentTime || 0;
    const playing = !this.audio.paused;
    if (this.hls) {
      this.hls.destroy();
      this.hls = null;
    }
    this.audio.dataset.source = "file";
    this.audio.src = this.audio.dataset.file;
    if (at > 0 || playing) {
      this.audio.addEventListener("loadedmetadata", () => {
        this.audio.currentTime = at;
        if (playing) this.audio.play().catch(() => {});
      }, { once: true });
    }
    this.say("Playing the finished, mastered file.");
  }

  seek(seconds) {
    this.audio.currentTime = seconds;
    this.audio.play().catch(() => {});
  }

  say(text) {
    if (this.note) this.note.textContent = text;
  }
}

function watchJob(article) {
  const audio = document.getElementById("player");
  const player = new Player(audio, document.getElementById("player-note"));
  const progress = document.getElementById("progress");
  const details = document.getElementById("details");
  let status = article.dataset.status;
  if (status === "succeeded") player.playFile();
  else if (!FINAL.has(status)) player.startStream();
  else player.say("This job has no audio.");

  details.addEventListener("click", (event) => {
    const button = event.target.closest("[data-seek]");
    if (button) player.seek(parseFloat(button.dataset.seek));
  });
  showClocks(details);

  if (FINAL.has(status)) return;
  let busy = false;
  const refresh = async () => {
    if (busy) return;
    busy = true;
    try {
      const html = await fragment(progress.dataset.refresh);
      if (html === null) return;
      progress.innerHTML = html;
      const now = progress.firstElementChild.dataset.status;
      if (now !== status && FINAL.has(now)) {
        status = now;
        article.dataset.status = now;
        const more = await fragment(details.dataset.refresh);
        if (more !== null) {
          details.innerHTML = more;
          showClocks(details);
        }
        if (now === "succeeded") player.playFile();
        events.close();
        clearInterval(fallback);
      }
    } finally {
      busy = false;
    }
  };
  // The native API's progress events say when to look again; a slow timer covers a dropped
  // connection.
  const events = new EventSource(`/console/jobs/${article.dataset.job}/events`);
  for (const kind of ["queued", "running", "chunk", "stitching", ...FINAL]) {
    events.addEventListener(kind, refresh);
  }
  const fallback = setInterval(refresh, 5000);
}

// The voice picker's play buttons: the first play of a voice renders its sample on the
// workers (a few seconds), later ones come from the service's memory.
function voiceSamples(root) {
  const audio = root.querySelector("#voice-sample");
  const status = root.querySelector("#voice-sample-status");
  let playing = "";
  audio.addEventListener("playing", () => {
    status.textContent = `Playing ${playing}.`;
  });
  audio.addEventListener("error", () => {
    status.textContent = `The sample of ${playing} could not be played.`;
  });
  root.querySelectorAll("button.play-sample").forEach((button) => {
    button.addEventListener("click", () => {
      playing = button.closest("tr").firstElementChild.textContent;
      status.textContent = `Preparing the sample of ${playing}…`;
      audio.src = button.dataset.sample;
      audio.play().catch(() => {});
    });
  });
}

// The cast editor: a row per speaker the service finds in the chosen document (a script's
// labels, an SSML document's voice names), each with a voice picker; the rows write the same
// `cast` field the native API takes, and the service's refusal of that cast shows beside it.
function castEditor(root) {
  const form = root.closest("form");
  const input = root.querySelector("#cast");
  const rows = root.querySelector("#cast-rows");
  const body = rows.querySelector("tbody");
  const status = root.querySelector("#cast-status");
  const refusal = root.querySelector("#cast-refusal");
  const file = form.querySelector("#document");
  const text = form.querySelector("#text");
  const voice = form.querySelector("#voice");
  const voices = voice ? [...voice.options].map((o) => [o.value, o.textContent]) : [];
  let speakers = [];
  let asked = 0;
  let typing = null;

  const chosen = () => new Map(input.value.split(",")
    .map((item) => item.split("=").map((part) => part.trim()))
    .filter((pair) => pair.length === 2 && pair[0] && pair[1]));
  const write = () => {
    input.value = [...body.querySelectorAll("select")]
      .filter((select) => select.value)
      .map((select) => `${select.dataset.speaker}=${select.value}`)
      .join(",");
  };

  function render() {
    const given = chosen();
    body.replaceChildren();
    for (const speaker of speakers) {
      const row = body.insertRow();
      const label = document.createElement("th");
      label.scope = "row";
      label.textContent = speaker;
      row.append(label);
      const select = document.createElement("select");
      select.dataset.speaker = speaker;
      select.setAttribute("aria-label", `Voice for ${speaker}`);
      select.add(new Option("Choose a voice", ""));
      for (const [name, title] of voices) select.add(new Option(title, name));
      const known = (name) => voices.some(([voice]) => voice === name);
      const wanted = given.get(speaker);
      // A voice typed into the cast that the catalogue lacks stays, for the service to refuse.
      if (wanted && !known(wanted)) select.add(new Option(`${wanted} (not in the catalogue)`, wanted));
      select.value = wanted || (known(speaker) ? speaker : "");
      select.addEventListener("change", () => {
        write();
        check();
      });
      row.insertCell().append(select);
    }
    rows.hidden = speakers.length === 0;
  }

  async function check() {
    const ask = ++asked;
    const data = new FormData();
    if (file && file.files.length) data.append("document", file.files[0]);
    data.append("text", text.value);
    const kind = form.querySelector("input[name=text_kind]:checked");
    data.append("text_kind", kind ? kind.value : "md");
    data.append("cast", input.value);
    data.append("voice", voice ? voice.value : "");
    const answer = await fetch(root.dataset.speakers, {
      method: "POST", body: data, credentials: "same-origin",
    });
    if (ask !== asked || !answer.ok) return;
    const found = await answer.json();
    if (found.speakers.join("\n") !== speakers.join("\n")) {
      speakers = found.speakers;
      render();
      const before = input.value;
      write();
      if (input.value !== before) return check();
    }
    status.textContent = speakers.length
      ? `Speakers found: ${speakers.join(", ")}.`
      : found.problem || "No speakers found: one voice reads the document.";
    refusal.textContent = found.refusal;
    refusal.hidden = !found.refusal;
    root.dataset.checked = String(ask);
  }

  if (file) file.addEventListener("change", check);
  if (voice) voice.addEventListener("change", check);
  form.querySelectorAll("input[name=text_kind]").forEach((el) => el.addEventListener("change", check));
  text.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(check, 400);
  });
  input.addEventListener("change", () => {
    render();
    check();
  });
  if (text.value.trim()) check();
}

document.addEventListener("DOMContentLoaded", () => {
  const cast = document.getElementById("cast-editor");
  if (cast) castEditor(cast);
  const samples = document.getElementById("voice-samples");
  if (samples) voiceSamples(samples);
  const rows = document.getElementById("job-rows");
  if (rows) watchJobList(rows);
  const article = document.getElementById("job");
  if (article) watchJob(article);
});
