// The document's title, edited in place by its editors: the heading's text is the field
// (contenteditable, one line), saved with PATCH {title} a second after typing stops, on Enter and
// when it loses focus; Escape puts back the saved title.
import { reasonOf } from "./api";
import type { DocStrings } from "./strings";

export interface TitleOptions {
  heading: HTMLElement;
  /** The saved title ("" when the document has none). */
  title: string;
  save: (title: string) => Promise<unknown>;
  error: HTMLElement | null;
  strings: DocStrings;
  /** Told of each title saved (the window's title, the breadcrumb). */
  onSaved?: (title: string) => void;
  delay?: number;
}

export function editableTitle(options: TitleOptions): { flush: () => Promise<void>; field: HTMLElement } {
  const { strings } = options;
  let saved = options.title;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let saving: Promise<void> = Promise.resolve();

  // The field is inside the heading, which stays the page's heading for assistive technologies.
  const heading = document.createElement("span");
  heading.textContent = options.heading.textContent;
  heading.dataset.docTitleField = "";
  options.heading.replaceChildren(heading);
  heading.contentEditable = "true";
  heading.spellcheck = true;
  heading.setAttribute("role", "textbox");
  heading.setAttribute("aria-label", strings.titleLabel);
  heading.tabIndex = 0;
  heading.classList.add("ens-doc__title--editable");
  heading.dataset.placeholder = strings.untitled;

  const typed = (): string => (heading.textContent ?? "").replace(/\s+/g, " ").trim().slice(0, 255);
  const showError = (message: string): void => {
    if (!options.error) return;
    options.error.querySelector("p")!.textContent = message;
    options.error.hidden = !message;
  };

  const flush = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    const title = typed();
    if (title === saved) return saving;
    saving = saving.then(async () => {
      if (title === saved) return;
      heading.setAttribute("aria-busy", "true");
      try {
        await options.save(title);
        saved = title;
        showError("");
        options.onSaved?.(title);
      } catch (failure) {
        showError(reasonOf(failure, strings.error));
      } finally {
        heading.removeAttribute("aria-busy");
      }
    });
    return saving;
  };

  heading.addEventListener("focus", () => {
    if (!saved && heading.textContent === strings.untitled) heading.textContent = "";
  });
  heading.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => void flush(), options.delay ?? 1000);
  });
  heading.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault(); // a title is one line
      void flush();
      heading.blur();
    } else if (event.key === "Escape") {
      clearTimeout(timer);
      heading.textContent = saved;
      showError("");
      heading.blur();
    }
  });
  heading.addEventListener("paste", (event) => {
    event.preventDefault(); // text only: no formatting, no line breaks
    const text = event.clipboardData?.getData("text/plain").replace(/\s+/g, " ") ?? "";
    document.execCommand("insertText", false, text);
  });
  heading.addEventListener("blur", () => {
    void flush().then(() => {
      if (document.activeElement !== heading && !typed()) heading.textContent = saved || strings.untitled;
    });
  });
  return { flush, field: heading };
}
