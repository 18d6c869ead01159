// "Import a file" on the Docs home: a DOCX, ODT, Markdown or HTML file becomes a new document,
// converted on the server (POST /api/v1/docs/jobs/); the page follows the job every second and
// opens the document once it is made, or says why it could not be.
import { getJob, importFile, type Job, reasonOf } from "./api";
import { followJob, JobFailed, showProgress } from "./jobs";
import { readStrings } from "./strings";

export interface ImportCalls {
  send: (file: File) => Promise<Job>;
  get: (id: string) => Promise<Job>;
  go: (url: string) => void;
}

export function bindImport(box: HTMLElement, calls: ImportCalls = { send: importFile, get: getJob, go: (url) => location.assign(url) }): void {
  const strings = readStrings(box);
  const input = box.querySelector<HTMLInputElement>("[data-import-input]");
  const status = box.querySelector<HTMLElement>("[data-import-status]");
  const error = box.querySelector<HTMLElement>("[data-import-error]");
  if (!input || !status || !error) return;
  const words = { queued: strings.jobQueued, running: strings.jobRunning };

  input.addEventListener("change", async () => {
    const file = input.files?.[0];
    if (!file) return;
    error.hidden = true;
    input.disabled = true;
    try {
      const asked = await calls.send(file);
      const done = await followJob(asked, { get: calls.get, onProgress: (job) => showProgress(status, job, words) });
      status.querySelector("[data-job-text]")!.textContent = strings.imported;
      if (done.document) calls.go(`/docs/${done.document}/`);
    } catch (failure) {
      status.hidden = true;
      error.querySelector("p")!.textContent = failure instanceof JobFailed ? failure.job.error || strings.error : reasonOf(failure, strings.error);
      error.hidden = false;
      input.disabled = false;
      input.value = "";
      input.focus();
    }
  });
}
