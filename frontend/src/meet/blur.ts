// Background blur, in the page: MediaPipe's selfie segmentation (its model and WebAssembly served
// by Ensemble, see scripts/copy-mediapipe.mjs) finds the person in each camera frame; a canvas
// draws the person sharp over the same frame blurred, and its stream is what the meeting sees.
// Nothing leaves the page for it.
import type { Results, SelfieSegmentation } from "@mediapipe/selfie_segmentation";

const FPS = 24;

/** The camera's frames with the background blurred, as a video track (see `track`). */
export class Blur {
  /** Frames drawn with a segmentation mask (for the tests). */
  frames = 0;
  readonly track: MediaStreamTrack;
  private readonly video = document.createElement("video");
  private readonly canvas = document.createElement("canvas");
  private readonly context: CanvasRenderingContext2D;
  private segmenter: SelfieSegmentation | null = null;
  private running = true;

  private constructor(
    private readonly camera: MediaStreamTrack,
    private readonly files: string,
  ) {
    const { width = 640, height = 480 } = camera.getSettings();
    this.canvas.width = width;
    this.canvas.height = height;
    this.context = this.canvas.getContext("2d")!;
    this.track = this.canvas.captureStream(FPS).getVideoTracks()[0];
    this.video.muted = true;
    this.video.playsInline = true;
    this.video.srcObject = new MediaStream([camera]);
  }

  /** Start blurring `camera` (the model files are under the URL `files`); rejects if this
   * browser cannot run the segmentation. */
  static async start(camera: MediaStreamTrack, files: string): Promise<Blur> {
    const blur = new Blur(camera, files);
    try {
      await blur.load();
    } catch (error) {
      blur.stop();
      throw error;
    }
    void blur.loop();
    return blur;
  }

  private async load(): Promise<void> {
    // Loaded only when blur is wanted. The script is not a real module: bundled as CommonJS,
    // its class is on the module or on its default export.
    type Loaded = { SelfieSegmentation?: typeof SelfieSegmentation };
    const loaded = (await import("@mediapipe/selfie_segmentation")) as Loaded & { default?: Loaded };
    const Segmenter = loaded.SelfieSegmentation ?? loaded.default?.SelfieSegmentation;
    if (!Segmenter) throw new Error("MediaPipe's selfie segmentation did not load");
    const segmenter = new Segmenter({ locateFile: (file) => `${this.files}${file}` });
    segmenter.setOptions({ modelSelection: 1 }); // the landscape model: a webcam, not a phone
    segmenter.onResults((results) => this.draw(results));
    this.segmenter = segmenter;
    await segmenter.initialize();
    await this.video.play();
  }

  private async loop(): Promise<void> {
    while (this.running && this.camera.readyState === "live") {
      const started = performance.now();
      if (this.video.readyState >= 2) {
        try {
          await this.segmenter?.send({ image: this.video });
        } catch (error) {
          console.warn("background blur: a frame failed", error);
        }
      }
      await new Promise((resolve) => window.setTimeout(resolve, Math.max(0, 1000 / FPS - (performance.now() - started))));
    }
  }

  private draw(results: Results): void {
    if (!this.running) return;
    const { context, canvas } = this;
    const { width, height } = canvas;
    context.save();
    context.clearRect(0, 0, width, height);
    context.drawImage(results.segmentationMask, 0, 0, width, height);
    context.globalCompositeOperation = "source-in"; // the person, where the mask is
    context.drawImage(results.image, 0, 0, width, height);
    context.globalCompositeOperation = "destination-over"; // the blurred frame behind
    context.filter = "blur(14px)";
    context.drawImage(results.image, 0, 0, width, height);
    context.filter = "none"; // and the frame itself under the blur's see-through edges
    context.drawImage(results.image, 0, 0, width, height);
    context.restore();
    this.frames++;
  }

  /** Stop blurring (the camera itself is left open). */
  stop(): void {
    this.running = false;
    this.track.stop();
    this.video.srcObject = null;
    void this.segmenter?.close().catch(() => undefined);
    this.segmenter = null;
  }
}
