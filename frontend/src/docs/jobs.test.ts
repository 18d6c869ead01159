// Following an import or export job: read every second until done or failed, progress shown,
// network hiccups retried; the home's import goes to the new document.
import { describe, expect, it, vi } from "vitest";
import type { Job } from "./api";
import { bindImport } from "./imports";
import { followJob, JobFailed, showProgress } from "./jobs";

const job = (state: Job["state"], progress = 0, extra: Partial<Job> = {}): Job => ({
  id: "j1",
  kind: "export",
  format: "pdf",
  state,
  progress,
  document: null,
  name: "Budget.pdf",
  error: "",
  created_at: "2026-12-01T10:00:00Z",
  updated_at: "2026-12-01T10:00:00Z",
  ...extra,
});

describe("following a job", () => {
  it("reads the job every second until it is done, telling each state", async () => {
    const answers = [job("running", 40), job("running", 80), job("done", 100)];
    const get = vi.fn(async () => answers.shift()!);
    const waits: number[] = [];
    const seen: number[] = [];
    const done = await followJob(job("queued"), {
      get,
      wait: async (ms) => void waits.push(ms),
      onProgress: (current) => seen.push(current.progress),
    });
    expect(done.state).toBe("done");
    expect(get).toHaveBeenCalledTimes(3);
    expect(get).toHaveBeenCalledWith("j1");
    expect(waits).toEqual([1000, 1000, 1000]);
    expect(seen).toEqual([0, 40, 80, 100]);
  });

  it("rejects with the job's error when it failed", async () => {
    const failed = job("failed", 50, { error: "This file is not a document." });
    await expect(followJob(job("running"), { get: async () => failed, wait: async () => undefined })).rejects.toEqual(new JobFailed(failed));
  });

  it("retries a network failure, but not an API refusal", async () => {
    let calls = 0;
    const flaky = async (): Promise<Job> => {
      calls += 1;
      if (calls === 1) throw new TypeError("Failed to fetch");
      return job("done", 100);
    };
    expect((await followJob(job("running"), { get: flaky, wait: async () => undefined })).state).toBe("done");
    const refusing = async (): Promise<Job> => {
      throw new Error("Not found.");
    };
    await expect(followJob(job("running"), { get: refusing, wait: async () => undefined })).rejects.toThrow("Not found.");
  });

  it("waits a real second between reads", async () => {
    vi.useFakeTimers();
    const get = vi.fn(async () => job("done", 100));
    const following = followJob(job("queued"), { get });
    await vi.advanceTimersByTimeAsync(999);
    expect(get).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect((await following).state).toBe("done");
    vi.useRealTimers();
  });

  it("shows the progress as a bar and in words", () => {
    const box = document.createElement("div");
    box.hidden = true;
    showProgress(box, job("running", 42.4), { queued: "Waiting…", running: "Converting…" });
    expect(box.hidden).toBe(false);
    expect(box.querySelector("progress")?.value).toBe(42);
    expect(box.textContent).toBe("Converting… 42 %");
    showProgress(box, job("queued"), { queued: "Waiting…", running: "Converting…" });
    expect(box.querySelectorAll("progress")).toHaveLength(1);
    expect(box.textContent).toBe("Waiting…");
  });
});

describe("the home's import", () => {
  function page() {
    const box = document.createElement("div");
    box.innerHTML = `<input type="file" data-import-input><div data-import-status hidden></div>
      <div data-import-error hidden><p></p></div><div hidden data-doc-strings data-job-queued="Waiting…" data-job-running="Converting…" data-imported="Ready" data-error="Oops"></div>`;
    document.body.append(box);
    const input = box.querySelector<HTMLInputElement>("input")!;
    const file = new File(["# Title"], "note.md", { type: "text/markdown" });
    Object.defineProperty(input, "files", { value: [file] });
    return { box, input, file };
  }

  it("sends the file, follows the job and opens the new document", async () => {
    vi.useFakeTimers();
    const { input, file } = page();
    const send = vi.fn(async () => job("queued", 0, { kind: "import" }));
    const go = vi.fn();
    bindImport(input.parentElement!, { send, get: async () => job("done", 100, { document: "d42" }), go });
    input.dispatchEvent(new Event("change"));
    await vi.advanceTimersByTimeAsync(1000);
    expect(send).toHaveBeenCalledWith(file);
    expect(go).toHaveBeenCalledWith("/docs/d42/");
    vi.useRealTimers();
  });

  it("shows why the conversion failed", async () => {
    vi.useFakeTimers();
    const { box, input } = page();
    const go = vi.fn();
    bindImport(box, {
      send: async () => job("queued"),
      get: async () => job("failed", 10, { error: "This file could not be read." }),
      go,
    });
    input.dispatchEvent(new Event("change"));
    await vi.advanceTimersByTimeAsync(1000);
    const error = box.querySelector<HTMLElement>("[data-import-error]")!;
    expect(error.hidden).toBe(false);
    expect(error.textContent).toBe("This file could not be read.");
    expect(go).not.toHaveBeenCalled();
    vi.useRealTimers();
  });
});
