// Mentions: typing "@" and part of a name lists the room's members (and @room for moderators);
// Enter, Tab or a click writes "@Name " into the text, and the message names that person by
// their id (never by address, which would show it to every reader).
import { $, element, externalBadge, me, state, strings } from "./context";
import { members } from "./people";

interface Choice {
  label: string;
  handle: string; // what the text holds after "@"
  user: string | null; // null: @room
  detail: string; // what tells two people of the same name apart: their organisation
  external: boolean;
}

let choices: Choice[] = [];
const chosen = new Map<string, string>(); // "@Name" written into the text -> the person's id

export type Named = [handle: string, user: string][];

/** The people chosen whose "@Name" is still in ``body`` ("@Name", id); the composer starts
 * again. */
export function takeMentions(body: string): Named {
  const named = [...chosen].filter(([handle]) => body.includes(handle));
  chosen.clear();
  return named;
}

/** Put back the people of a text that could not be sent (it is back in the composer). */
export function keepMentions(named: Named): void {
  for (const [handle, user] of named) chosen.set(handle, user);
}

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
      item.dataset.mention = choice.user ?? choice.handle;
      item.append(element("strong", "", choice.label));
      if (choice.detail) item.append(element("span", "fr-text--xs", choice.detail));
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
  if (choice.user) chosen.set(`@${choice.handle}`, choice.user);
  text.value = text.value.slice(0, typed.start) + inserted + text.value.slice(end);
  const caret = typed.start + inserted.length;
  text.setSelectionRange(caret, caret);
  close();
}

function update(text: HTMLTextAreaElement): void {
  const typed = typedWord(text);
  if (!typed) return close();
  const found: Choice[] = [...members.values()]
    .filter((member) => member.user !== me && member.name.toLowerCase().includes(typed.word))
    .slice(0, 6)
    .map((member) => ({ label: member.name, handle: member.name, user: member.user, detail: member.organisation, external: member.external }));
  if (state.current?.abilities.moderate && "room".startsWith(typed.word)) {
    found.push({ label: strings.everyone, handle: "room", user: null, detail: "@room", external: false });
  }
  choices = found;
  active = 0;
  render(text);
}

export function wireMentions(): void {
  const text = $<HTMLTextAreaElement>("[data-composer-text]");
  if (!text) return;
  text.addEventListener("input", () => update(text));
  // Closed once the focus has really gone elsewhere: back in the text within the delay (a
  // click on a choice, a focus that bounced), the list the person is using stays.
  text.addEventListener("blur", () =>
    window.setTimeout(() => {
      if (document.activeElement !== text) close();
    }, 150),
  );
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
