// Recording a greeting or an attendant prompt in the browser (templates/generic/recorder.html): Record asks for the
// microphone and records with MediaRecorder (Chromium and Firefox: WebM or Ogg with Opus; Safari: MP4), Stop ends it,
// the player lets the user listen, Keep puts the recording into the page's own file input (data-input) as a file and,
// with data-submit, sends that input's form, as if the file had been chosen by hand; Discard throws it away. The
// server takes the file as any upload and stores it as WAV (sipxweb/transcode.py). Without JavaScript, MediaRecorder
// or a microphone the recorder stays hidden or says so, and the file input works as before.
(function () {
  "use strict";
  if (!window.MediaRecorder || !window.DataTransfer || !navigator.mediaDevices ||
      !navigator.mediaDevices.getUserMedia) return;

  // The words this script writes itself, translated by the page (templates/generic/recorder_script.html puts them on
  // the script tag); English when a page gives none. "%(name)s" stands for a value.
  var script = document.currentScript;
  function words(key, english, values) {
    var text = (script && script.getAttribute("data-" + key)) || english;
    Object.keys(values || {}).forEach(function (name) { text = text.split("%(" + name + ")s").join(values[name]); });
    return text;
  }

  var TYPES = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/webm", "audio/mp4"];

  function pickType() {
    for (var i = 0; i < TYPES.length; i++) {
      if (MediaRecorder.isTypeSupported(TYPES[i])) return TYPES[i];
    }
    return "";
  }

  function extension(type) {
    if (type.indexOf("audio/ogg") === 0) return "ogg";
    if (type.indexOf("audio/mp4") === 0) return "m4a";
    return "webm";
  }

  function clock(seconds) {
    var s = Math.floor(seconds);
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }

  // Chromium's WebM recordings carry no duration: the player would show none until played through. Seeking far past
  // the end makes it read the whole file and learn it; then back to the start.
  function learnDuration(audio) {
    return new Promise(function (resolve) {
      function changed() {
        if (!isFinite(audio.duration)) return;
        audio.removeEventListener("durationchange", changed);
        audio.currentTime = 0;
        resolve();
      }
      audio.addEventListener("loadedmetadata", function () {
        if (isFinite(audio.duration)) { resolve(); return; }
        audio.addEventListener("durationchange", changed);
        audio.currentTime = 1e101;
      }, { once: true });
    });
  }

  function setup(box) {
    var input = document.getElementById(box.dataset.input);
    if (!input) return;
    var maxSeconds = parseInt(box.dataset.maxSeconds, 10) || 600;
    var button = function (name) { return box.querySelector("[data-action=" + name + "]"); };
    var record = button("record"), stop = button("stop"), keep = button("keep"), discard = button("discard");
    var audio = box.querySelector("audio");
    var status = box.querySelector("[role=status]");
    var recorder = null, stream = null, chunks = [], file = null, url = null, started = 0, timer = null;
    var kept = false;  // the recording is in the file input, waiting for the page's Save

    function show(state) {
      record.hidden = state === "recording";
      record.textContent = state === "recorded" ? words("record-again", "Record again") : words("record", "Record");
      stop.hidden = state !== "recording";
      keep.hidden = discard.hidden = audio.hidden = state !== "recorded";
      box.dataset.state = state;
    }

    function say(text) { status.textContent = text; }

    function release() {
      if (timer) { clearInterval(timer); timer = null; }
      if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    }

    function forget() {
      if (kept) { input.value = ""; kept = false; }
      if (url) { URL.revokeObjectURL(url); url = null; }
      audio.removeAttribute("src");
      audio.load();
      file = null;
    }

    function finished() {
      var seconds = (Date.now() - started) / 1000;
      release();
      var type = (recorder && recorder.mimeType) || chunks.length && chunks[0].type || "audio/webm";
      var blob = new Blob(chunks, { type: type });
      chunks = [];
      recorder = null;
      if (!blob.size) { show("idle"); say(words("nothing", "Nothing was recorded: try again.")); return; }
      file = new File([blob], (box.dataset.name || "recording") + "." + extension(type), { type: type });
      url = URL.createObjectURL(blob);
      audio.src = url;
      learnDuration(audio);
      show("recorded");
      say(words("recorded", "Recorded %(length)s. Listen to it, then keep or discard it.", { length: clock(seconds) }));
    }

    record.addEventListener("click", function () {
      forget();
      say(words("asking", "Asking for the microphone…"));
      navigator.mediaDevices.getUserMedia({ audio: true }).then(function (media) {
        stream = media;
        var type = pickType();
        recorder = type ? new MediaRecorder(stream, { mimeType: type }) : new MediaRecorder(stream);
        recorder.addEventListener("dataavailable", function (event) { if (event.data.size) chunks.push(event.data); });
        recorder.addEventListener("stop", finished);
        recorder.start(1000);
        started = Date.now();
        show("recording");
        var recording = function (seconds) {
          var english = "Recording %(length)s (at most %(most)s). Press Stop when you are done.";
          return words("recording", english, { length: clock(seconds), most: clock(maxSeconds) });
        };
        say(recording(0));
        timer = setInterval(function () {
          var seconds = (Date.now() - started) / 1000;
          if (seconds >= maxSeconds) { recorder.stop(); return; }
          say(recording(seconds));
        }, 500);
        stop.focus();
      }, function (error) {
        release();
        show("idle");
        say(words("refused", "The microphone cannot be used (%(error)s): allow it for this site, or upload a file instead.",
                  { error: error.name }));
      });
    });

    stop.addEventListener("click", function () {
      if (recorder && recorder.state !== "inactive") recorder.stop();
    });

    keep.addEventListener("click", function () {
      if (!file) return;
      var transfer = new DataTransfer();
      transfer.items.add(file);
      input.files = transfer.files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
      if (box.dataset.submit) {
        say(words("saving", "Saving the recording…"));
        keep.disabled = discard.disabled = record.disabled = true;
        if (input.form.requestSubmit) input.form.requestSubmit(); else input.form.submit();
      } else {
        kept = true;
        say(words("kept", "Kept: it is stored when you save this page."));
        keep.hidden = true;
      }
    });

    discard.addEventListener("click", function () {
      forget();
      show("idle");
      say(words("discarded", "Recording discarded."));
      record.focus();
    });

    show("idle");
    box.hidden = false;
  }

  document.querySelectorAll("[data-recorder]").forEach(setup);
})();
