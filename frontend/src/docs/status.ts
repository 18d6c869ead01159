// The status line under the title: whether everything typed is stored on the server.
import type { Status } from "./provider";
import type { DocStrings } from "./strings";

/** What the line says for a provider status; a reader sees "Read only" whenever connected. */
export function statusText(status: Status, canEdit: boolean, strings: DocStrings): string {
  if (status === "refused") return strings.refused;
  if (status === "too-large") return strings.tooLarge;
  if (status === "offline") return canEdit ? strings.offline : strings.offlineReading;
  if (status === "read-only" || !canEdit) return strings.readOnly;
  return status === "saved" ? strings.saved : strings.syncing;
}

export function showStatus(line: HTMLElement, status: Status, canEdit: boolean, strings: DocStrings): void {
  const text = statusText(status, canEdit, strings);
  if (line.textContent !== text) line.textContent = text; // an unchanged text is not announced again
  line.dataset.status = status;
}
