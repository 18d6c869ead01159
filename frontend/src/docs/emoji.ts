// A small emoji picker: emoji are plain Unicode text in the document (docs.md), so a picked one
// is typed at the cursor like any character.
import type { Editor } from "@tiptap/core";

export const EMOJI = [
  "😀", "😂", "🙂", "😉", "😍", "🤔", "😅", "😢", "😮", "😎", "🙏", "👏",
  "👍", "👎", "👋", "💪", "🎉", "✅", "❌", "⚠️", "❓", "💡", "📌", "📎",
  "📅", "📝", "📄", "📊", "🔒", "🔗", "⭐", "❤️", "🔥", "🚀", "☕", "🇫🇷",
];

/** Fill ``list`` with one button per emoji; ``toggle`` shows and hides it. */
export function emojiPicker(editor: Editor, toggle: HTMLButtonElement, list: HTMLElement): void {
  for (const emoji of EMOJI) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "ens-doc__emoji-choice";
    button.textContent = emoji;
    button.onclick = () => {
      editor.chain().focus().insertContent(emoji).run();
      show(false);
    };
    list.append(button);
  }
  const show = (open: boolean): void => {
    list.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    if (open) list.querySelector("button")?.focus();
  };
  toggle.onclick = () => show(list.hidden);
  list.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      show(false);
      toggle.focus();
    }
  });
}
