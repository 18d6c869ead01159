// What the editor page's script writes, in the reader's language: the template renders each
// string (Django's gettext) as a data attribute of [data-doc-strings].
export interface DocStrings {
  connecting: string;
  saved: string;
  syncing: string;
  offline: string;
  offlineReading: string;
  readOnly: string;
  refused: string;
  tooLarge: string;
  confirmDiscard: string;
  pasteTooLarge: string;
  // Assist
  assistOff: string;
  assistSelect: string;
  assistNoModel: string;
  assistPassageChanged: string;
  assistCut: string;
  assistWorking: string;
  assistByModel: string;
  assistExtract: string;
  assistWhere: string;
  assistNothing: string;
  editor: string;
  placeholder: string;
  uploadFailed: string;
  nobody: string;
  error: string;
  // The title
  titleLabel: string;
  untitled: string;
  // Share
  team: string;
  roleOf: string;
  removeAccess: string;
  asksFor: string;
  accept: string;
  acceptOf: string;
  refuse: string;
  refuseOf: string;
  noAccess: string;
  copied: string;
  copyByHand: string;
  inheritedFrom: string;
  inheritedAbove: string;
  accessesHidden: string;
  invited: string;
  addedColleague: string;
  // Template, move, page links
  moveRoot: string;
  moveHere: string;
  moved: string;
  movePick: string;
  noPage: string;
  // Versions
  kindAuto: string;
  kindNamed: string;
  kindRestore: string;
  inserted: string;
  deleted: string;
  changeEnd: string;
  noVersion: string;
  noChange: string;
  restored: string;
  versionSaved: string;
  // Imports and exports
  jobQueued: string;
  jobRunning: string;
  download: string;
  imported: string;
  close: string;
  // Comments
  peopleToMention: string;
  selectFirst: string;
  someone: string;
  edited: string;
  edit: string;
  editOf: string;
  yourComment: string;
  yourReply: string;
  save: string;
  send: string;
  cancel: string;
  remove: string;
  removeOf: string;
  confirmRemove: string;
  goToPassage: string;
  passageGoneNote: string;
  resolved: string;
  reply: string;
  resolve: string;
  reopen: string;
  allResolved: string;
  noComment: string;
}

/** The page's strings; a missing one reads as its key, so that a gap shows instead of failing. */
export function readStrings(root: ParentNode = document): DocStrings {
  const data = root.querySelector<HTMLElement>("[data-doc-strings]")?.dataset ?? {};
  return new Proxy(data, { get: (target, key: string) => target[key] ?? key }) as unknown as DocStrings;
}

/** ``text`` with each {name} replaced by ``values[name]``. */
export const fill = (text: string, values: Record<string, string>): string =>
  text.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
