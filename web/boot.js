// Runs before any wasm loads. When the page is not cross-origin isolated (the engine then runs
// its single-threaded build) it says so, and offers threads on hosts that cannot send the
// headers: coi-serviceworker
// (v0.1.7 from npm, MIT, vendored beside this file with its licence) installs a service worker
// that adds COOP/COEP to every same-origin response, then reloads once. Opt-in, remembered in
// this browser (localStorage), so a host that does send the headers never gets a worker.
(() => {
  const KEY = 'dlp-coi-serviceworker';
  if (self.crossOriginIsolated) return;
  const useServiceWorker = () => {
    window.coi = { quiet: true };
    const script = document.createElement('script');
    script.src = 'coi-serviceworker.js';
    document.head.appendChild(script);
  };
  if (localStorage.getItem(KEY) === 'on') useServiceWorker();
  document.getElementById('boot-not-isolated').hidden = false;
  const button = document.getElementById('boot-enable-threads');
  if (!('serviceWorker' in navigator) || !self.isSecureContext) {
    // Service workers need https (or localhost): nothing to offer here.
    button.closest('.boot-enable').hidden = true;
    return;
  }
  button.addEventListener('click', () => {
    localStorage.setItem(KEY, 'on');
    button.disabled = true;
    button.textContent = 'Installing… the page reloads once';
    useServiceWorker();
  });
})();
