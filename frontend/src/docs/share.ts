// The "Share" panel: who has a role on the document (GET accesses/), giving one to a person or a
// team found in the directory, changing or taking it back, the link's reach and role (PATCH the
// document), the access requests to accept or refuse, and copying the link. The template renders
// the controls the person's abilities allow; the API refuses the rest, and its message is shown.
import { type Access, type AccessRequest, type DocsApi, type Entry, type Invitation, type LinkReach, type Role, searchDirectory, showFailure } from "./api";
import { type DocStrings, fill } from "./strings";

export interface ShareOptions {
  api: DocsApi;
  panel: HTMLElement;
  strings: DocStrings;
  /** The person may give, change and take back roles, and set the link (manage_accesses). */
  canManage: boolean;
  /** Whether the person may see who has access (given access, not only the link's role). */
  canSeeAccesses?: boolean;
  search?: (q: string) => Promise<Entry[]>;
  /** The document's address, for "Copy the link". */
  link?: string;
}

export interface Share {
  /** Read the accesses and requests again (when the panel opens). */
  refresh: () => Promise<void>;
}

/** Whether ``text`` looks like an e-mail address (the server checks it for real). */
export const looksLikeEmail = (text: string): boolean => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text.trim());

/** What the person is told once an invitation is made. */
export const invitationResult = (answer: Invitation, email: string, strings: DocStrings): string =>
  answer.invited ? fill(strings.invited, { email: answer.invited }) : fill(strings.addedColleague, { email: answer.added ?? email });

export function bindShare(options: ShareOptions): Share {
  const { api, panel, strings, canManage } = options;
  const canSeeAccesses = options.canSeeAccesses ?? true;
  const search = options.search ?? ((q: string) => searchDirectory(q, "all"));
  const $ = <T extends Element>(selector: string): T | null => panel.querySelector<T>(selector);
  const error = $<HTMLElement>("[data-share-error]");
  const list = $<HTMLElement>("[data-share-accesses]");
  const requestBox = $<HTMLElement>("[data-share-requests]");
  const requestList = $<HTMLElement>("[data-share-request-list]");
  const roleOptions = $<HTMLTemplateElement>("template[data-share-role-options]");

  const fail = (failure: unknown): void => showFailure(error, failure, strings.error);
  /** Run a call, show its refusal, then read the lists again. */
  const act = async (call: () => Promise<unknown>): Promise<boolean> => {
    if (error) error.hidden = true;
    // The lists are drawn anew: the focus goes back to the same row's control, or the list.
    const active = document.activeElement as HTMLElement | null;
    const row = active?.closest<HTMLElement>("[data-access]")?.dataset.access;
    try {
      await call();
      return true;
    } catch (failure) {
      fail(failure);
      return false;
    } finally {
      await refresh(false);
      if (active && !active.isConnected) {
        const again = row ? list?.querySelector<HTMLElement>(`[data-access="${row}"] select`) : null;
        (again ?? panel.querySelector<HTMLElement>("h2"))?.focus();
      }
    }
  };

  const roleName = (role: string): string => roleOptions?.content.querySelector(`option[value="${role}"]`)?.textContent ?? role;

  const accessRow = (access: Access): HTMLLIElement => {
    const item = document.createElement("li");
    item.className = "ens-doc__share-row";
    const from = access.inherited_from;
    // Given on a page above: shown, changed there (the API refuses it here).
    if (from) item.dataset.accessInherited = access.id;
    else item.dataset.access = access.id;
    const who = document.createElement("span");
    who.className = "ens-doc__share-who";
    who.textContent = access.user_name ?? access.team_name ?? "";
    if (access.team) {
      const badge = document.createElement("span");
      badge.className = "fr-badge fr-badge--sm fr-badge--info fr-badge--no-icon fr-ml-1v";
      badge.textContent = strings.team;
      who.append(badge);
    }
    item.append(who);
    if (from) {
      const role = document.createElement("span");
      role.className = "fr-text--sm fr-mb-0";
      role.textContent = roleName(access.role);
      const where = document.createElement("p");
      where.className = "fr-text--xs fr-mb-0 ens-doc__share-from";
      if (from.title === null) {
        where.textContent = strings.inheritedAbove; // a page above the person may not read
      } else {
        const link = document.createElement("a");
        link.href = `/docs/${from.id}/`;
        link.dataset.accessFrom = from.id ?? "";
        link.textContent = from.title || strings.untitled;
        const [before, after = ""] = strings.inheritedFrom.split("{title}");
        where.append(before, link, after);
      }
      item.append(role, where);
    } else if (canManage && roleOptions) {
      const select = document.createElement("select");
      select.className = "fr-select ens-doc__share-role";
      select.append(roleOptions.content.cloneNode(true));
      select.value = access.role;
      select.dataset.accessRole = "";
      select.setAttribute("aria-label", fill(strings.roleOf, { name: who.firstChild?.textContent ?? "" }));
      select.addEventListener("change", () => void act(() => api.changeRole(access.id, select.value as Role)));
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "fr-btn fr-btn--sm fr-btn--tertiary-no-outline fr-icon-delete-bin-line";
      remove.dataset.accessRemove = "";
      remove.title = remove.textContent = fill(strings.removeAccess, { name: who.firstChild?.textContent ?? "" });
      remove.addEventListener("click", () => void act(() => api.revoke(access.id)));
      item.append(select, remove);
    } else {
      const role = document.createElement("span");
      role.className = "fr-text--sm fr-mb-0";
      role.textContent = roleName(access.role);
      item.append(role);
    }
    return item;
  };

  const requestRow = (asked: AccessRequest): HTMLLIElement => {
    const item = document.createElement("li");
    item.className = "ens-doc__share-row";
    item.dataset.accessRequest = asked.id;
    const who = document.createElement("span");
    who.className = "ens-doc__share-who";
    who.textContent = fill(strings.asksFor, { name: asked.user_name, role: roleName(asked.role ?? "editor") });
    const accept = document.createElement("button");
    accept.type = "button";
    accept.className = "fr-btn fr-btn--sm";
    accept.dataset.requestAccept = "";
    accept.textContent = strings.accept;
    accept.setAttribute("aria-label", fill(strings.acceptOf, { name: asked.user_name }));
    accept.addEventListener("click", () => void act(() => api.answer(asked.id, true)));
    const refuse = document.createElement("button");
    refuse.type = "button";
    refuse.className = "fr-btn fr-btn--sm fr-btn--secondary";
    refuse.dataset.requestRefuse = "";
    refuse.textContent = strings.refuse;
    refuse.setAttribute("aria-label", fill(strings.refuseOf, { name: asked.user_name }));
    refuse.addEventListener("click", () => void act(() => api.answer(asked.id, false)));
    item.append(who, accept, refuse);
    return item;
  };

  async function refresh(clearError = true): Promise<void> {
    if (clearError && error) error.hidden = true;
    try {
      const [accesses, requests, document] = await Promise.all([
        canSeeAccesses ? api.accesses() : Promise.resolve([] as Access[]),
        canManage ? api.requests() : Promise.resolve([] as AccessRequest[]),
        api.document(),
      ]);
      list?.replaceChildren(...accesses.map(accessRow));
      if (list && !canSeeAccesses) {
        const hidden = window.document.createElement("li");
        hidden.className = "fr-text--sm";
        hidden.dataset.shareHidden = "";
        hidden.textContent = strings.accessesHidden;
        list.append(hidden);
      } else if (list && !accesses.some((access) => !access.inherited_from)) {
        const none = window.document.createElement("li");
        none.className = "fr-text--sm";
        none.dataset.shareNone = "";
        none.textContent = strings.noAccess;
        list.prepend(none);
      }
      requestList?.replaceChildren(...requests.map(requestRow));
      if (requestBox) requestBox.hidden = !requests.length;
      if (reach && document.link_reach) reach.value = document.link_reach;
      if (linkRole && document.link_role) linkRole.value = document.link_role;
      showLinkRole();
    } catch (failure) {
      fail(failure);
    }
  }

  // The link: its reach and the role it gives.
  const reach = $<HTMLSelectElement>("[data-share-reach]");
  const linkRole = $<HTMLSelectElement>("[data-share-link-role]");
  const showLinkRole = (): void => {
    const group = linkRole?.closest<HTMLElement>(".fr-select-group");
    if (group) group.hidden = reach?.value === "restricted";
  };
  reach?.addEventListener("change", () => void act(() => api.update({ link_reach: reach.value as LinkReach })));
  linkRole?.addEventListener("change", () => void act(() => api.update({ link_role: linkRole.value as Role })));
  if (!canManage) {
    if (reach) reach.disabled = true;
    if (linkRole) linkRole.disabled = true;
  }

  const copy = $<HTMLButtonElement>("[data-share-copy]");
  const copied = $<HTMLElement>("[data-share-copied]");
  copy?.addEventListener("click", async () => {
    const link = options.link ?? location.href.split("#")[0];
    try {
      await navigator.clipboard.writeText(link);
      if (copied) copied.textContent = strings.copied;
    } catch {
      if (copied) copied.textContent = fill(strings.copyByHand, { link });
    }
  });

  const form = $<HTMLFormElement>("[data-share-add]");
  const invite = $<HTMLFormElement>("[data-share-invite]");
  const offerInvite = invite && canManage ? bindInvite(invite, (email, role) => inviteAndTell(email, role)) : () => undefined;
  if (form && canManage) bindAdd(form, search, strings, (to, role) => act(() => api.grant(to, role)), offerInvite);

  const invited = $<HTMLElement>("[data-share-invited]");
  // What the last invitation did is said until the person looks for someone else.
  $<HTMLInputElement>("[data-share-search]")?.addEventListener("input", () => invited && (invited.textContent = ""));
  /** Send the invitation; say what it did (an e-mail, or a colleague added at once). */
  async function inviteAndTell(email: string, role: Role): Promise<boolean> {
    if (invited) invited.textContent = "";
    const result: { answer?: Invitation } = {};
    const done = await act(async () => (result.answer = await api.invite(email, role)));
    if (done && result.answer && invited) invited.textContent = invitationResult(result.answer, email, strings);
    return done;
  }
  return { refresh };
}

/** The "Add people or teams" form: a directory search (a combobox), a role, "Add". */
function bindAdd(
  form: HTMLFormElement,
  search: (q: string) => Promise<Entry[]>,
  strings: DocStrings,
  grant: (to: { user?: string; team?: string }, role: Role) => Promise<boolean>,
  offerInvite: (email: string | null, submit?: boolean) => void,
): void {
  const input = form.querySelector<HTMLInputElement>("[data-share-search]");
  const results = form.querySelector<HTMLElement>("[data-share-results]");
  const role = form.querySelector<HTMLSelectElement>("[data-share-role]");
  if (!input || !results || !role) return;
  let found: Entry[] = [];
  let active = -1;
  let chosen: Entry | null = null;
  let asked = 0;

  const close = (): void => {
    results.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  };
  const draw = (): void => {
    results.replaceChildren();
    found.forEach((entry, index) => {
      const item = document.createElement("li");
      item.id = `doc-share-result-${index}`;
      item.role = "option";
      item.className = "ens-doc__mention";
      item.dataset.shareResult = entry.id;
      item.setAttribute("aria-selected", String(index === active));
      item.textContent = entry.name;
      const extra = entry.kind === "team" ? strings.team : entry.organisation ?? entry.email ?? "";
      if (extra) {
        const where = document.createElement("span");
        where.className = "fr-text--xs fr-mb-0";
        where.textContent = ` · ${extra}`;
        item.append(where);
      }
      item.addEventListener("mousedown", (event) => {
        event.preventDefault();
        pick(entry);
      });
      results.append(item);
    });
    if (!found.length) {
      const none = document.createElement("li");
      none.className = "ens-doc__mention-empty";
      none.textContent = strings.nobody;
      results.append(none);
    }
    results.hidden = false;
    input.setAttribute("aria-expanded", "true");
    if (active >= 0) input.setAttribute("aria-activedescendant", `doc-share-result-${active}`);
    else input.removeAttribute("aria-activedescendant");
  };
  const pick = (entry: Entry): void => {
    chosen = entry;
    input.value = entry.name;
    close();
  };

  input.addEventListener("input", async () => {
    chosen = null;
    const q = input.value;
    const mine = ++asked;
    if (q.trim().length < 2) {
      offerInvite(null);
      return close();
    }
    const answer = await search(q).catch(() => [] as Entry[]);
    if (mine !== asked) return; // a later keystroke asked again
    found = answer.slice(0, 8);
    active = found.length ? 0 : -1;
    // Nobody found, or an address typed: offer to invite by e-mail (for an address nobody has,
    // the invitation is the answer, without a "Nobody found" list over it).
    if (looksLikeEmail(q) && !found.length) close();
    else draw();
    if (looksLikeEmail(q)) offerInvite(q.trim());
    else if (!found.length) offerInvite("");
    else offerInvite(null);
  });
  input.addEventListener("keydown", (event) => {
    if (results.hidden || !found.length) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      active = (active + (event.key === "ArrowDown" ? 1 : found.length - 1)) % found.length;
      draw();
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      pick(found[active]);
    } else if (event.key === "Escape") {
      event.preventDefault(); // the list closes, not the panel
      close();
    }
  });
  input.addEventListener("blur", close);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const entry = chosen ?? (found.length === 1 && found[0].name === input.value ? found[0] : null);
    if (!entry && looksLikeEmail(input.value)) {
      // An address nobody in the directory has: Enter invites it.
      close();
      offerInvite(input.value.trim(), true);
      return;
    }
    if (!entry) {
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    input.removeAttribute("aria-invalid");
    const to = entry.kind === "team" ? { team: entry.id } : { user: entry.id };
    if (await grant(to, role.value as Role)) {
      input.value = "";
      chosen = null;
      found = [];
    }
  });
}

/** The "Invite by e-mail" form, shown when the search finds nobody or an address is typed.
 * Returns what shows it: an address to put in its field ("" keeps the field as it is), or null
 * to hide it; ``submit`` sends it at once. */
function bindInvite(
  form: HTMLFormElement,
  send: (email: string, role: Role) => Promise<boolean>,
): (email: string | null, submit?: boolean) => void {
  const field = form.querySelector<HTMLInputElement>("[data-share-invite-email]");
  const role = form.querySelector<HTMLSelectElement>("[data-share-invite-role]");
  const button = form.querySelector<HTMLButtonElement>("button[type=submit]");
  if (!field || !role) return () => undefined;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const email = field.value.trim();
    if (!looksLikeEmail(email)) {
      field.setAttribute("aria-invalid", "true");
      field.focus();
      return;
    }
    field.removeAttribute("aria-invalid");
    if (button) button.disabled = true;
    try {
      if (await send(email, role.value as Role)) {
        field.value = "";
        field.dataset.typed = "false";
        const search = form.closest("[data-panel]")?.querySelector<HTMLInputElement>("[data-share-search]");
        if (search) search.value = "";
        form.hidden = true;
        search?.focus();
      }
    } finally {
      if (button) button.disabled = false;
    }
  });
  field.addEventListener("input", () => (field.dataset.typed = "true"));
  return (email, submit = false) => {
    // Once the person typed in it, the field is theirs: the search no longer changes it.
    const typed = !form.hidden && field.dataset.typed === "true";
    if (email === null) {
      if (!typed) form.hidden = true;
      return;
    }
    form.hidden = false;
    if (email && !typed) field.value = email;
    if (submit) form.requestSubmit();
  };
}
