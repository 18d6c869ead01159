// The page's browser notifications: the button that asks for permission (beside the room
// list's tools), and the messages of the open room and the counts of the others handed to the
// notifier (notify.ts decides what deserves a notice).
import type { Message, Room } from "./api";
import { $, me, state, strings } from "./context";
import { Notifier, type NoticeStrings } from "./notify";
import { members } from "./people";
import { onEvent } from "./timeline";

export const notifier = new Notifier(me, strings as unknown as NoticeStrings);

const moderates = (user: string | null): boolean => {
  const role = user ? members.get(user)?.role : undefined;
  return role === "admin" || role === "moderator";
};

export function wireNotices(): void {
  const button = notifier.button();
  if (button) $(".ens-chat__rooms-tools")?.append(button);
  onEvent((event) => {
    const room = state.current;
    if (event.event !== "chat.message.created" || !room) return;
    const message = event.payload as unknown as Message;
    notifier.message(room, message, moderates(message.author));
  });
}

/** Another room's counts were fetched again (rooms.ts): new mentions or direct messages. */
export function roomCounted(before: Room | undefined, after: Room): void {
  notifier.counts(before, after);
}

