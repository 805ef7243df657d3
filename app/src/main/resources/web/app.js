// Glimpse web page: no external scripts, works offline.
'use strict';
const $ = (id) => document.getElementById(id);
let currentFile = null;
let caption = null;

function showError(msg) {
  const e = $('error');
  e.textContent = msg || '';
  e.hidden = !msg;
}

async function post(url, form) {
  const res = await fetch(url, { method: 'POST', body: form });
  let body = null;
  try { body = await res.json(); } catch (_) { body = { error: 'HTTP ' + res.status }; }
  if (!res.ok) throw new Error(body && body.error ? body.error : 'HTTP ' + res.status);
  return body;
}

function fitOverlay() {
  const img = $('photo'), cv = $('overlay');
  cv.width = img.clientWidth;
  cv.height = img.clientHeight;
  cv.style.width = img.clientWidth + 'px';
  cv.style.height = img.clientHeight + 'px';
}

function clearOverlay() {
  const cv = $('overlay');
  cv.getContext('2d').clearRect(0, 0, cv.width, cv.height);
  cv.dataset.word = '';
}

// Upsample the rows x cols attention grid smoothly over the photo as a red heat map.
function drawAttention(weights, rows, cols, word) {
  fitOverlay();
  const cv = $('overlay'), ctx = cv.getContext('2d');
  let max = 0;
  for (const w of weights) max = Math.max(max, w);
  const small = document.createElement('canvas');
  small.width = cols; small.height = rows;
  const sctx = small.getContext('2d');
  const data = sctx.createImageData(cols, rows);
  for (let i = 0; i < rows * cols; i++) {
    const a = max > 0 ? weights[i] / max : 0;
    data.data[4 * i] = 255; data.data[4 * i + 1] = 40; data.data[4 * i + 2] = 0;
    data.data[4 * i + 3] = Math.round(200 * a);
  }
  sctx.putImageData(data, 0, 0);
  ctx.clearRect(0, 0, cv.width, cv.height);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(small, 0, 0, cv.width, cv.height);
  cv.dataset.word = word;
}

function renderCaption(c) {
  caption = c;
  const p = $('caption');
  p.classList.remove('muted');
  p.textContent = '';
  const att = c.attention;
  const words = att ? att.words : c.caption.split(' ').map((word) => ({ word: word, weights: null }));
  words.forEach((w, i) => {
    const span = document.createElement('span');
    span.className = 'word';
    span.textContent = w.word;
    span.dataset.index = i;
    if (att) {
      span.addEventListener('mouseenter', () => {
        span.classList.add('active');
        drawAttention(w.weights, att.grid_rows, att.grid_cols, w.word);
      });
      span.addEventListener('mouseleave', () => { span.classList.remove('active'); clearOverlay(); });
    }
    p.appendChild(span);
    p.appendChild(document.createTextNode(' '));
  });
  const alts = $('alternatives');
  alts.textContent = '';
  (c.alternatives || []).forEach((a) => {
    const li = document.createElement('li');
    li.textContent = a.caption + ' (' + a.score.toFixed(2) + ')';
    alts.appendChild(li);
  });
}

async function chooseFile(file) {
  if (!file) return;
  currentFile = file;
  showError('');
  $('answers').textContent = '';
  const img = $('photo');
  img.onload = () => { $('stage').hidden = false; fitOverlay(); };
  img.src = URL.createObjectURL(file);
  $('caption').textContent = 'Captioning…';
  const form = new FormData();
  form.append('image', file);
  try {
    renderCaption(await post('/api/caption', form));
  } catch (e) {
    $('caption').textContent = '';
    showError(e.message);
  }
}

async function ask(ev) {
  ev.preventDefault();
  showError('');
  const q = $('question').value.trim();
  if (!currentFile) { showError('Choose an image first.'); return; }
  if (!q) { showError('Type a question.'); return; }
  const form = new FormData();
  form.append('image', currentFile);
  form.append('question', q);
  form.append('top', '3');
  const list = $('answers');
  list.textContent = '';
  try {
    const r = await post('/api/ask', form);
    r.answers.forEach((a) => {
      const li = document.createElement('li');
      li.className = 'answer';
      const label = document.createElement('span'); label.className = 'label'; label.textContent = a.answer;
      const bar = document.createElement('span'); bar.className = 'bar'; bar.style.width = Math.round(160 * a.probability) + 'px';
      const prob = document.createElement('span'); prob.className = 'prob'; prob.textContent = (100 * a.probability).toFixed(1) + '%';
      li.append(label, bar, prob);
      list.appendChild(li);
    });
  } catch (e) {
    showError(e.message);
  }
}

async function loadModels() {
  try {
    const res = await fetch('/api/health');
    const h = await res.json();
    $('models').textContent = 'captioner: ' + (h.captioner ? 'loaded' : 'none') + ' · VQA: ' + (h.vqa ? 'loaded' : 'none');
  } catch (_) { /* the page still works without it */ }
}

$('file').addEventListener('change', (e) => chooseFile(e.target.files[0]));
const drop = $('drop');
drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => { e.preventDefault(); drop.classList.remove('over'); chooseFile(e.dataTransfer.files[0]); });
$('ask-form').addEventListener('submit', ask);
window.addEventListener('resize', () => { if (!$('stage').hidden) fitOverlay(); });
loadModels();
