#!/usr/bin/env node
// Copy the web interface's front-end assets from node_modules into pvd_kg/serve/static/vendor,
// so the site works offline: nothing is loaded from a CDN at run time.
// Run by `npm install` (postinstall) or `npm run vendor`.
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const dest = path.join(root, "pvd_kg", "serve", "static", "vendor");
const copies = [
  ["@zazuko/yasgui/build/yasgui.min.js", "yasgui/yasgui.min.js"],
  ["@zazuko/yasgui/build/yasgui.min.css", "yasgui/yasgui.min.css"],
  ["leaflet/dist/leaflet.js", "leaflet/leaflet.js"],
  ["leaflet/dist/leaflet.css", "leaflet/leaflet.css"],
  ["leaflet/dist/images", "leaflet/images"],
  ["@zazuko/yasgui/LICENSE", "yasgui/LICENSE"],
  ["leaflet/LICENSE", "leaflet/LICENSE"],
];

function copy(src, dst) {
  const stat = fs.statSync(src);
  if (stat.isDirectory()) {
    fs.mkdirSync(dst, { recursive: true });
    for (const name of fs.readdirSync(src)) copy(path.join(src, name), path.join(dst, name));
  } else {
    fs.mkdirSync(path.dirname(dst), { recursive: true });
    fs.copyFileSync(src, dst);
  }
}

let missing = 0;
for (const [from, to] of copies) {
  const src = path.join(root, "node_modules", from);
  if (!fs.existsSync(src)) {
    if (from.endsWith("LICENSE")) continue; // licence file names vary between releases
    console.error(`vendor-assets: missing ${src} (run npm install first)`);
    missing += 1;
    continue;
  }
  copy(src, path.join(dest, to));
}
if (missing) process.exit(1);
console.log(`vendor-assets: copied into ${path.relative(root, dest)}`);
