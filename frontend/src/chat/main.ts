// The chat page: room list with unread badges, a live timeline that scrolls back through
// history, a composer (Markdown preview, files, mentions), reactions, threads, typing and
// presence, and side panels for everything else the API offers: a people picker to start a
// conversation, the forum directory, members, settings, search and pins. Each subject lives
// in its own module; this one starts them in order.
import { json, type Room } from "./api";
import { $, client, root, roomId, rooms, state } from "./context";
import { wireComposer } from "./composer";
import { wireConversations } from "./conversations";
import { wireForums } from "./forums";
import { changed, reloadRoom, renderHead, wireJoin } from "./head";
import { wireMembers } from "./members";
import { wireNotices } from "./notices";
import { mentionListOpen, wireMentions } from "./mentions";
import { wirePanels } from "./panels";
import { loadMembers, onMembers } from "./people";
import { wirePins } from "./pins";
import { wireSummary } from "./summary";
import { wirePreviews } from "./previews";
import { wireReceipts } from "./receipts";
import { loadPresence } from "./presence";
import { loadRooms, refreshRoom } from "./rooms";
import { wireSearch } from "./search";
import { wireSettings } from "./settings";
import { wireThread } from "./thread";
import { wireThreads } from "./threads";
import { highlight, loadFirst, onEvent, rerenderAll, scrollToBottom, watchEdges } from "./timeline";

function followRoom(): void {
  onMembers(rerenderAll); // external badges in the timeline
  onEvent((event) => {
    const current = state.current;
    if (!current) return;
    const payload = event.payload;
    if (event.event === "chat.room.updated") {
      Object.assign(current, { name: payload.name, topic: payload.topic, title: current.kind === "direct" ? current.title : payload.name });
      if (payload.archived) current.archived_at = new Date().toISOString();
      renderHead();
      refreshRoom(current.id);
    } else if (event.event === "chat.member.changed") {
      void loadMembers();
      void loadPresence();
      if (payload.user === root?.dataset.user) void reloadRoom();
    }
  });
}

async function start(): Promise<void> {
  const page = root;
  if (!page) return;
  client.onstatus((connected) => {
    page.toggleAttribute("data-live", connected);
    const offline = $<HTMLElement>("[data-offline]");
    if (offline) offline.hidden = connected;
  });
  wirePanels();
  wireConversations();
  wireForums();
  wireSearch();
  await loadRooms();
  wireNotices();
  if (!roomId) return;
  state.current = rooms.get(roomId) ?? (await json<Room>(`rooms/${roomId}/`));
  renderHead();
  wireMentions(); // before the composer: Enter chooses a name while the list is open
  wireComposer(mentionListOpen);
  wireThread();
  wireJoin();
  wireMembers();
  wireSettings(changed);
  wirePins();
  wireSummary();
  wireThreads();
  wireReceipts();
  wirePreviews($("[data-thread-messages]"));
  followRoom();
  const at = Number(new URLSearchParams(window.location.search).get("at") ?? NaN);
  await loadFirst(Number.isInteger(at) ? at : undefined);
  void loadMembers();
  void loadPresence();
  if (!Number.isInteger(at) || !highlight(at)) scrollToBottom();
  watchEdges();
}

void start();
