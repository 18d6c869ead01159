// The members panel: who is in the room (role, organisation, external mark), roles changed by
// administrators, people and teams added, e-mail and CSV invitations, removal, ban (and, for
// moderators, the people banned with a button to lift the ban), leaving.
import { call, json, sendFile, type Member } from "./api";
import { $, act, element, externalBadge, me, onFileChosen, state, strings } from "./context";
import { addPeople } from "./conversations";
import { onPanel } from "./panels";
import { loadMembers, members, onMembers } from "./people";
import { picker, type Picker } from "./picker";
import { presenceOf } from "./presence";
import { fill } from "./render";

const ROLES = ["admin", "moderator", "member"];
let invite: Picker | undefined;

const errorBox = (): HTMLElement | null => $("[data-members-error]");

function change(member: Member, move: string, role = "member"): void {
  void act(async () => {
    await json(`rooms/${state.current!.id}/members/${move}/`, "POST", { user: member.user, role });
    await loadMembers();
    await loadBanned();
  }, errorBox());
}

/** The people banned from the room, each with "lift the ban" (moderators only). */
async function loadBanned(): Promise<void> {
  const section = $<HTMLElement>("[data-banned]");
  const list = $<HTMLUListElement>("[data-banned-list]");
  const room = state.current;
  if (!section || !list || !room) return;
  const banned = room.abilities.moderate && room.kind !== "direct" ? await json<Member[]>(`rooms/${room.id}/members/?banned=true`) : [];
  list.replaceChildren(
    ...banned.map((member) => {
      const item = element("li", "ens-chat__member");
      item.dataset.bannedMember = member.user;
      const who = element("div", "ens-chat__member-who");
      who.append(element("strong", "", member.name));
      if (member.external) who.append(externalBadge());
      const lift = element("button", "fr-btn fr-btn--sm fr-btn--tertiary", strings.liftBan);
      lift.type = "button";
      lift.onclick = () => {
        if (window.confirm(fill(strings.confirmLiftBan, { name: member.name }))) change(member, "unban");
      };
      item.append(who, element("p", "fr-text--xs fr-mb-0 ens-chat__member-detail", member.organisation), lift);
      return item;
    }),
  );
  section.hidden = !banned.length;
}

function row(member: Member): HTMLLIElement {
  const abilities = state.current?.abilities ?? {};
  const item = element("li", "ens-chat__member");
  item.dataset.member = member.user;
  const who = element("div", "ens-chat__member-who");
  const dot = element("span", `ens-chat__presence ens-chat__presence--${presenceOf(member.user)}`);
  dot.title = strings[`presence_${presenceOf(member.user)}`] ?? "";
  who.append(dot, element("strong", "", member.name));
  if (member.external) who.append(externalBadge());
  if (member.user === me) who.append(element("span", "fr-text--xs", strings.you));
  item.append(who);
  item.append(element("p", "fr-text--xs fr-mb-0 ens-chat__member-detail", [member.organisation, member.email].filter(Boolean).join(" · ")));
  const tools = element("div", "ens-chat__member-tools");
  if (abilities.manage_accesses && !member.external && state.current?.kind !== "direct") {
    const select = element("select", "fr-select ens-chat__role");
    select.setAttribute("aria-label", fill(strings.roleOf, { name: member.name }));
    select.dataset.role = member.user;
    for (const role of ROLES) {
      const option = element("option", "", strings[`role_${role}`]);
      option.value = role;
      select.append(option);
    }
    select.value = member.role;
    select.onchange = () => change(member, "role", select.value);
    tools.append(select);
  } else {
    tools.append(element("span", "fr-badge fr-badge--sm fr-badge--no-icon", strings[`role_${member.role}`]));
  }
  if (abilities.moderate && member.user !== me && state.current?.kind !== "direct") {
    const remove = element("button", "fr-btn fr-btn--sm fr-btn--tertiary", strings.removeMember);
    remove.type = "button";
    remove.onclick = () => {
      if (window.confirm(fill(strings.confirmRemove, { name: member.name }))) change(member, "remove");
    };
    const ban = element("button", "fr-btn fr-btn--sm fr-btn--tertiary ens-chat__danger", strings.ban);
    ban.type = "button";
    ban.onclick = () => {
      if (window.confirm(fill(strings.confirmBan, { name: member.name }))) change(member, "ban");
    };
    tools.append(remove, ban);
  }
  item.append(tools);
  return item;
}

function render(): void {
  const list = $<HTMLUListElement>("[data-member-list]");
  const count = $<HTMLElement>("[data-member-count]");
  if (!list) return;
  list.replaceChildren(...[...members.values()].map(row));
  if (count) count.textContent = fill(strings.memberCount, { n: members.size });
  const current = state.current;
  const inviting = $<HTMLElement>("[data-invite]");
  if (inviting) inviting.hidden = !current?.abilities.moderate || current.kind === "direct" || current.kind === "meeting" || Boolean(current.archived_at);
  const leave = $<HTMLElement>("[data-leave]");
  if (leave) leave.hidden = !current?.role || current.kind === "direct";
}

function report(text: string): void {
  const box = $<HTMLElement>("[data-invite-report]");
  if (!box) return;
  box.textContent = text;
  box.hidden = !text;
}

export function wireMembers(): void {
  const box = $<HTMLElement>("[data-invite-people]");
  if (!box || !state.current) return;
  const room = state.current.id;
  onMembers(render);
  onPanel("members", async () => {
    await loadMembers();
    await loadBanned();
  });
  invite = picker(box, true);
  $<HTMLButtonElement>("[data-invite-add]")!.onclick = () =>
    void act(async () => {
      const chosen = invite!.picked();
      if (!chosen.length) return;
      const refused = await addPeople(room, chosen);
      invite!.clear();
      report(refused.length ? fill(strings.notAdded, { names: refused.join(", ") }) : fill(strings.added, { n: chosen.length }));
      await loadMembers();
    }, errorBox());
  const byMail = $<HTMLFormElement>("[data-invite-email]")!;
  byMail.onsubmit = (event) => {
    event.preventDefault();
    const email = new FormData(byMail).get("email");
    void act(async () => {
      const answer = await json<{ invited?: string }>(`rooms/${room}/invitations/`, "POST", { email });
      report(answer.invited ? fill(strings.invited, { email: answer.invited }) : fill(strings.added, { n: 1 }));
      byMail.reset();
      await loadMembers();
    }, errorBox());
  };
  onFileChosen($<HTMLInputElement>("[data-invite-csv]")!, (file) =>
    act(async () => {
      const answer = await sendFile<Record<string, string[]>>(`rooms/${room}/invitations/csv/`, file);
      report(fill(strings.csvReport, { invited: answer.invited.length, added: answer.added.length, refused: answer.refused.length })
        + (answer.refused.length ? ` ${answer.refused.join(", ")}` : ""));
      await loadMembers();
    }, errorBox()),
  );
  $<HTMLButtonElement>("[data-leave]")!.onclick = () => {
    if (!window.confirm(strings.confirmLeave)) return;
    void act(async () => {
      await call(`rooms/${room}/leave/`, "POST");
      window.location.href = "/chat/";
    }, errorBox());
  };
}
