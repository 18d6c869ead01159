// Copy the parts of the State design system (DSFR) that the pages use into our static files:
// served by Ensemble itself, never from a CDN.
import { cpSync, mkdirSync, rmSync } from "node:fs";

const from = "node_modules/@gouvfr/dsfr/dist";
const to = "../ensemble/static/dist/dsfr";
rmSync(to, { recursive: true, force: true });
mkdirSync(`${to}/utility/icons`, { recursive: true });
for (const file of ["dsfr.min.css", "dsfr.module.min.js"]) cpSync(`${from}/${file}`, `${to}/${file}`);
for (const dir of ["fonts", "icons", "favicon"]) cpSync(`${from}/${dir}`, `${to}/${dir}`, { recursive: true });
cpSync(`${from}/utility/icons/icons.min.css`, `${to}/utility/icons/icons.min.css`);
