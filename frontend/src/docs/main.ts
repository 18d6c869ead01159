// The Docs editor page's script (#ens-doc). The Docs home has its own, smaller entry (home.ts):
// it needs the import form only, not the editor.
import { mount } from "./editor-page";

const root = document.getElementById("ens-doc");
if (root) mount(root);
