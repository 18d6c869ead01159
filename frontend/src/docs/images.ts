// Images: the chosen file is sent to the document's image URL (multipart "file", with the CSRF
// token, like chat attachments); its answer's `url` becomes the src of an image node.
import type { Editor } from "@tiptap/core";
import { ApiError, csrf, detail } from "../api";
import { cursorAfterBlock } from "./schema";

/** Send ``file``; resolves with the URL the server gives the stored image. */
export async function uploadImage(url: string, file: File): Promise<string> {
  const form = new FormData();
  form.append("file", file);
  const response = await fetch(url, {
    method: "POST",
    headers: { "X-CSRFToken": csrf(), Accept: "application/json" },
    credentials: "same-origin",
    body: form,
  });
  const body = (await response.json().catch(() => null)) as { url?: unknown } | null;
  if (!response.ok) throw new ApiError(response.status, detail(response.status, body));
  if (typeof body?.url !== "string") throw new ApiError(response.status, "no url");
  return body.url;
}

/** Upload ``file`` and insert it as an image at the cursor (alt text: the file's name). */
export async function insertImage(editor: Editor, url: string, file: File): Promise<void> {
  const src = await uploadImage(url, file);
  const alt = file.name.replace(/\.[^.]+$/, "");
  editor.chain().focus().insertContent({ type: "image", attrs: { src, alt } }).command(cursorAfterBlock).run();
}
