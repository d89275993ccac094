// The engine's Web Worker (a module worker). It loads one of the engine's two builds, starts
// its rayon pool, then hands every message from the page to Rust. Messages are JSON strings
// (contract::ToEngine in, contract::FromEngine out); anything else that arrives here
// (wasm-bindgen-rayon's own init messages) is not ours and is ignored.
//
// The builds (ARCHITECTURE.md, "Two engine builds"): `engine-threads.js` shares its memory with
// one worker per logical core, which the browser allows only on a cross-origin isolated page;
// `engine.js` has no atomics and runs everything on this worker's thread. Same numbers, other
// speed. If the threaded build cannot start on an isolated page, the single-threaded one runs.
let engine = null;

// The MNIST digits (7.5 MiB, shipped beside the app): fetched while the module and the pool
// start, handed to the engine after it has started. Only a start that needs them waits.
const digits = fetch(new URL('data/mnist-10k.bin', self.location.href))
  .then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(new Error(`HTTP ${r.status} for ${r.url}`))));
digits.catch(() => {}); // handled below, once the engine can hear about it

const pending = [];
let started = false;
let dead = false;

function fail(what, err) {
  dead = true;
  // Same shape as contract::FromEngine::Failed (a test in crates/contract pins it).
  self.postMessage(JSON.stringify({ failed: { message: `${what}: ${err && err.message ? err.message : err}` } }));
}

function run(text) {
  if (dead) return;
  try {
    engine.engineHandle(text);
  } catch (err) {
    // A Rust panic aborts into a trap: this instance's state can no longer be trusted.
    fail('the engine stopped', err);
  }
}

self.addEventListener('message', (event) => {
  if (typeof event.data !== 'string') return;
  if (started) run(event.data);
  else pending.push(event.data);
});

async function load(threaded) {
  const module = await import(threaded ? './engine-threads.js' : './engine.js');
  const wasm = await module.default();
  if (threaded) await module.initThreadPool(navigator.hardwareConcurrency || 1);
  // The engine's memory, for the soak script (tests/e2e/soak.mjs) and anyone curious.
  self.engineMemoryBytes = () => wasm.memory.buffer.byteLength;
  return module;
}

(async () => {
  try {
    if (self.crossOriginIsolated) {
      try {
        engine = await load(true);
      } catch (err) {
        console.warn('the threaded engine could not start; running the single-threaded one:', err);
      }
    }
    engine = engine || (await load(false));
    engine.engineStart();
  } catch (err) {
    fail('the engine could not start', err);
    return;
  }
  started = true;
  for (const text of pending.splice(0)) run(text);
  let bytes = null;
  try {
    bytes = new Uint8Array(await digits);
  } catch (err) {
    if (!dead) engine.engineDigitsFailed(String(err && err.message ? err.message : err));
    return;
  }
  if (dead) return;
  try {
    engine.engineDigits(bytes);
  } catch (err) {
    fail('the engine stopped', err);
  }
})();
