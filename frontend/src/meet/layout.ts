// Where the tiles of a meeting go: which are on the page shown, in which order, and the grid
// they are laid out in. Pure (no DOM), so that its rules are unit-tested (layout.test.ts).

export interface TileInfo {
  key: string;
  mine: boolean; // one's own camera
  screen: boolean; // a shared screen
  feed: number | null;
}

export interface Layout {
  shown: TileInfo[]; // the tiles of the page, in order (speaker mode: the large one first)
  pages: number;
  page: number; // the page asked for, kept within the pages there are
  columns: number;
  rows: number;
  alone: boolean; // a page with a single tile: shown at its own size, not stretched
}

/** Screens first, then one's own tile, then the others in the order given: one's own tile
 * is always on the first page, even when the meeting needs several. */
export function ordered(tiles: TileInfo[], pageSize: number): TileInfo[] {
  const screens = tiles.filter((tile) => tile.screen);
  const mine = tiles.filter((tile) => tile.mine && !tile.screen);
  const others = tiles.filter((tile) => !tile.screen && !tile.mine);
  const result = [...screens, ...others];
  // After the screens, but never past the end of the first page.
  result.splice(Math.min(screens.length, Math.max(0, pageSize - 1)), 0, ...mine);
  return result;
}

/** The columns and rows of a grid holding ``count`` tiles, about 16:9 each on a wide stage. */
export function grid(count: number): { columns: number; rows: number } {
  const columns = Math.max(1, Math.ceil(Math.sqrt(count)));
  return { columns, rows: Math.max(1, Math.ceil(count / columns)) };
}

export function layout(
  tiles: TileInfo[],
  options: { mode: "grid" | "speaker"; page: number; pageSize: number; speaker: number | null },
): Layout {
  const { mode, pageSize, speaker } = options;
  const all = ordered(tiles, pageSize);
  if (mode === "grid") {
    const pages = Math.max(1, Math.ceil(all.length / pageSize));
    const page = Math.min(Math.max(0, options.page), pages - 1);
    const shown = all.slice(page * pageSize, (page + 1) * pageSize);
    // Every page of a paginated meeting has the grid of a full page: the last page's few
    // tiles keep the size the others had.
    const { columns, rows } = grid(pages > 1 ? pageSize : shown.length);
    return { shown, pages, page, columns, rows, alone: shown.length === 1 };
  }
  const main =
    all.find((tile) => tile.screen) ??
    all.find((tile) => tile.feed === speaker && speaker !== null && !tile.mine) ??
    all.find((tile) => !tile.mine) ??
    all[0];
  const rest = all.filter((tile) => tile !== main);
  const pages = Math.max(1, Math.ceil(rest.length / pageSize));
  const page = Math.min(Math.max(0, options.page), pages - 1);
  const strip = rest.slice(page * pageSize, (page + 1) * pageSize);
  const shown = main ? [main, ...strip] : strip;
  return { shown, pages, page, columns: Math.max(1, strip.length), rows: strip.length ? 2 : 1, alone: shown.length === 1 };
}
