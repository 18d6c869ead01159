// Mentions: typing "@" and part of a name lists the room's members (and @room for moderators);
// Enter, Tab or a click writes "@address " into the text, which the server understands.
import { $, element, externalBadge, me, state, strings } from "./context";
import { members } from "./people";

interface Choice {
  label: string;
  handle: string;
  external: boolean;
}

let choices: Choice[] = [];
let active = 0;

const list = (): HTMLUListElement | null => $("[data-mention-list]");
export const mentionListOpen = (): boolean => Boolean(list() && !list()!.hidden);

function typedWord(text: HTMLTextAreaElement): { start: number; word: string } | null {
  const before = text.value.slice(0, text.selectionStart);
  const match = /(^|\s)@([^\s@]*)$/.exec(before);
  return match ? { start: before.length - match[2].length - 1, word: match[2].toLowerCase() } : null;
}

function close(): void {
  const box = list();
  if (box) box.hidden = true;
  choices = [];
}

function render(text: HTMLTextAreaElement): void {
  const box = list();
  if (!box) return;
  box.replaceChildren(
    ...choices.map((choice, index) => {
      const item = element("li", "ens-chat__mention");
      item.id = `mention-${index}`;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", String(index === active));
      item.dataset.mention = choice.handle;
      item.append(element("strong", "", choice.label), element("span", "fr-text--xs", ` @${choice.handle}`));
      if (choice.external) item.append(externalBadge());
      item.onmousedown = (event) => {
        event.preventDefault(); // keep the focus in the text
        choose(text, index);
      };
      return item;
    }),
  );
  box.hidden = !choices.length;
  text.setAttribute("aria-activedescendant", choices.length ? `mention-${active}` : "");
}

function choose(text: HTMLTextAreaElement, index: number): void {
  const typed = typedWord(text);
  const choice = choices[index];
  if (!typed || !choice) return close();
  const end = text.selectionStart;
  const inserted = `@${choice.handle} `;
  text.value = text.value.slice(0, typed.start) + inserted + text.value.slice(end);
  const caret = typed.start + inserted.length;
  text.setSelectionRange(caret, caret);
  close();
}

function update(text: HTMLTextAreaElement): void {
  const typed = typedWord(text);
  if (!typed) return close();
  const found: Choice[] = [...members.values()]
    // A mention names an address: members whose address this reader is not shown are left out.
    .flatMap((member) => (member.user !== me && member.email ? [{ ...member, email: member.email }] : []))
    .filter((member) => member.name.toLowerCase().includes(typed.word) || member.email.toLowerCase().startsWith(typed.word))
    .slice(0, 6)
    .map((member) => ({ label: member.name, handle: member.email, external: member.external }));
  if (state.current?.abilities.moderate && "room".startsWith(typed.word)) {
    found.push({ label: strings.everyone, handle: "room", external: false });
  }
  choices = found;
  active = 0;
  render(text);
}

export function wireMentions(): void {
  const text = $<HTMLTextAreaElement>("[data-composer-text]");
  if (!text) return;
  text.addEventListener("input", () => update(text));
  text.addEventListener("blur", () => window.setTimeout(close, 150));
  text.addEventListener("keydown", (event) => {
    if (!mentionListOpen()) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      active = (active + (event.key === "ArrowDown" ? 1 : choices.length - 1)) % choices.length;
      render(text);
    } else if (event.key === "Enter" || event.key === "Tab") {
      event.preventDefault();
      choose(text, active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
}
