// Copy MediaPipe's selfie segmentation (its model, graph and WebAssembly) into our static files
// for background blur: served by Ensemble itself, never from a CDN; the video never leaves the page.
import { cpSync, mkdirSync, readdirSync, rmSync } from "node:fs";

const from = "node_modules/@mediapipe/selfie_segmentation";
const to = "../ensemble/static/dist/mediapipe";
rmSync(to, { recursive: true, force: true });
mkdirSync(to, { recursive: true });
// The script itself is bundled by Vite (chunk selfie_segmentation.js); the rest it loads at run time.
for (const file of readdirSync(from)) {
  if (/\.(binarypb|tflite|wasm|data)$/.test(file) || file.endsWith("_wasm_bin.js")) cpSync(`${from}/${file}`, `${to}/${file}`);
}
