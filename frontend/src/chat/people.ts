// The people of the room open now (GET rooms/{id}/members/): who is external, whom a mention
// may name. Kept current when someone joins, leaves or changes role.
import { json, type Member } from "./api";
import { state } from "./context";

export const members = new Map<string, Member>();
const listeners: (() => void)[] = [];

/** Call ``listener`` each time the members are loaded again. */
export function onMembers(listener: () => void): void {
  listeners.push(listener);
}

export const isExternal = (user: string | null): boolean => Boolean(user && members.get(user)?.external);

export async function loadMembers(): Promise<void> {
  if (!state.current) return;
  const list = await json<Member[]>(`rooms/${state.current.id}/members/`);
  members.clear();
  for (const member of list) members.set(member.user, member);
  for (const listener of listeners) listener();
}
