// Imports and exports run on the server as background jobs (issue 15): the page asks for one,
// then reads its state every second, showing its progress, until it is done or failed.
import type { Job } from "./api";

export class JobFailed extends Error {
  constructor(readonly job: Job) {
    super(job.error);
  }
}

export interface Follow {
  /** Read the job's state (GET /api/v1/docs/jobs/<id>/). */
  get: (id: string) => Promise<Job>;
  /** Told of each state read. */
  onProgress?: (job: Job) => void;
  every?: number;
  /** Waits ``ms``; replaced in tests. */
  wait?: (ms: number) => Promise<void>;
  /** Stops following (the page moved on). */
  signal?: AbortSignal;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Follow ``job`` until it is done (resolves with it) or failed (rejects with JobFailed). A
 * network failure while reading is retried: the job goes on on the server meanwhile. */
export async function followJob(job: Job, options: Follow): Promise<Job> {
  const wait = options.wait ?? sleep;
  let current = job;
  let misses = 0;
  for (;;) {
    options.onProgress?.(current);
    if (current.state === "done") return current;
    if (current.state === "failed") throw new JobFailed(current);
    await wait(options.every ?? 1000);
    if (options.signal?.aborted) throw new DOMException("Aborted", "AbortError");
    try {
      current = await options.get(current.id);
      misses = 0;
    } catch (failure) {
      if (!(failure instanceof TypeError) || ++misses > 30) throw failure;
    }
  }
}

/** Texts the progress display shows, from the template. */
export interface JobWords {
  queued: string;
  running: string;
}

/** Show a job's progress in ``box``: a <progress> bar and its words ("Converting… 40 %"). */
export function showProgress(box: HTMLElement, job: Job, words: JobWords): void {
  let bar = box.querySelector("progress");
  let text = box.querySelector<HTMLElement>("[data-job-text]");
  if (!bar || !text) {
    box.replaceChildren();
    text = document.createElement("p");
    text.className = "fr-text--sm fr-mb-1v";
    text.dataset.jobText = "";
    bar = document.createElement("progress");
    bar.className = "ens-doc__progress";
    bar.max = 100;
    box.append(text, bar);
  }
  const percent = Math.max(0, Math.min(100, Math.round(job.progress)));
  bar.value = percent;
  bar.setAttribute("aria-valuetext", `${percent} %`);
  bar.setAttribute("aria-label", job.name || job.format);
  const said = job.state === "queued" ? words.queued : `${words.running} ${percent} %`;
  if (text.textContent !== said) text.textContent = said;
  box.hidden = false;
}
