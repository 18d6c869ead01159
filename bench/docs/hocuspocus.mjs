// The server LaSuite Docs uses, as bench/docs.py runs it: @hocuspocus/server with its SQLite
// persistence (@hocuspocus/extension-sqlite), on its defaults. Usage: node hocuspocus.mjs PORT DB
import { SQLite } from "@hocuspocus/extension-sqlite";
import { Server } from "@hocuspocus/server";

const [port, database] = process.argv.slice(2);
const server = new Server({
  port: Number(port),
  address: "127.0.0.1",
  quiet: true,
  extensions: [new SQLite({ database })],
});
await server.listen();
console.log("listening");
