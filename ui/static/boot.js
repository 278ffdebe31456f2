// Starts the Leptos app. Start-up failures are written into the page: a headless webview has
// no devtools console, and a blank window tells nobody anything.
import init from './ui.js';

function showFatal(what) {
  const box = document.createElement('pre');
  box.className = 'fatal';
  box.textContent = 'Loupe failed to start: ' + what;
  document.body.appendChild(box);
}
window.addEventListener('error', (e) => showFatal(e.message));
window.addEventListener('unhandledrejection', (e) => showFatal(String(e.reason)));
init().catch((e) => showFatal(String(e)));
