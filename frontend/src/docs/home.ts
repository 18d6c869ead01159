// The Docs home's script: "Import a file as a new document" only, without the editor (its own
// Vite entry, "docs-home", so that the home does not load TipTap and Yjs).
import { bindImport } from "./imports";

const importBox = document.querySelector<HTMLElement>("[data-docs-import]");
if (importBox) bindImport(importBox);
