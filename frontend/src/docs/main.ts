// The Docs pages' script: the editor page (#ens-doc) or the Docs home's import. One entry for
// both (vite.config.ts names one per app); a dynamic import would make Vite preload chunks from
// the site's root instead of /static/dist/.
import { mount } from "./editor-page";
import { bindImport } from "./imports";

const root = document.getElementById("ens-doc");
if (root) mount(root);
const importBox = document.querySelector<HTMLElement>("[data-docs-import]");
if (importBox) bindImport(importBox);
