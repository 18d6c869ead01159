// The "Export" menu: PDF, DOCX, ODT, Markdown or HTML, converted on the server (POST exports/),
// followed every second, then a link to download the file (or the job's error).
import { type DocsApi, downloadUrl, EXPORT_FORMATS, type ExportFormat, getJob, reasonOf } from "./api";
import { followJob, JobFailed, showProgress } from "./jobs";
import { disclosure } from "./menu";
import { type DocStrings, fill } from "./strings";

export function bindExport(api: DocsApi, box: HTMLElement, strings: DocStrings, get = getJob): void {
  const toggle = box.querySelector<HTMLButtonElement>("[data-export-toggle]");
  const menu = box.querySelector<HTMLElement>("[data-export-menu]");
  const status = box.querySelector<HTMLElement>("[data-export-status]");
  const error = box.querySelector<HTMLElement>("[data-export-error]");
  if (!toggle || !menu || !status || !error) return;
  const close = disclosure(toggle, menu);
  let running = false;

  const fail = (message: string): void => {
    status.hidden = true;
    error.querySelector("p")!.textContent = message;
    error.hidden = false;
  };

  for (const button of menu.querySelectorAll<HTMLButtonElement>("[data-export-format]")) {
    button.addEventListener("click", async () => {
      const format = button.dataset.exportFormat as ExportFormat;
      close();
      toggle.focus();
      if (running || !EXPORT_FORMATS.includes(format)) return;
      running = true;
      toggle.disabled = true;
      error.hidden = true;
      status.replaceChildren(); // the last export's link goes: it is not this one
      status.hidden = true;
      const words = { queued: strings.jobQueued, running: strings.jobRunning };
      try {
        const asked = await api.export(format);
        const done = await followJob(asked, { get, onProgress: (job) => showProgress(status, job, words) });
        const link = document.createElement("a");
        link.className = "fr-link fr-icon-download-line fr-link--icon-left";
        link.href = downloadUrl(done.id);
        link.download = done.name;
        link.dataset.exportDownload = "";
        link.textContent = fill(strings.download, { name: done.name });
        const said = document.createElement("p");
        said.className = "fr-text--sm fr-mb-0";
        said.append(link);
        const dismiss = document.createElement("button");
        dismiss.type = "button";
        dismiss.className = "fr-btn--close fr-btn fr-btn--sm";
        dismiss.dataset.exportClose = "";
        dismiss.textContent = strings.close;
        dismiss.addEventListener("click", () => {
          status.hidden = true;
          toggle.focus();
        });
        status.replaceChildren(said, dismiss);
        link.focus();
      } catch (failure) {
        fail(failure instanceof JobFailed ? failure.job.error || strings.error : reasonOf(failure, strings.error));
      } finally {
        running = false;
        toggle.disabled = false;
      }
    });
  }
}
