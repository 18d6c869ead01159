// The Docs pages' script: the editor page (#ens-doc, loaded as its own chunk: TipTap and Yjs are
// large) or the Docs home's import (small, in this file).
import { bindImport } from "./imports";

const root = document.getElementById("ens-doc");
if (root) void import("./editor-page").then((page) => page.mount(root));
const importBox = document.querySelector<HTMLElement>("[data-docs-import]");
if (importBox) bindImport(importBox);
