// A ProConnect-like OpenID provider for tests, on 127.0.0.1 only.
//
//   node server.mjs            reads its settings from the environment:
//   OP_PORT        port to listen on
//   OP_CLIENTS     JSON list of client metadata (client_id, client_secret, redirect_uris, ...)
//   OP_ACCOUNTS    JSON object: login -> {password, acr, claims: {...}}
//
// Like ProConnect it signs the userinfo response (application/jwt), offers its acr levels
// (eidas1, eidas1-mfa...), honours an essential acr asked with the claims parameter (refuses
// when the account's level is not among the values), names itself in its authorization
// answers (iss, RFC 9207), requires PKCE, and supports RP-initiated logout. Its sign-in page
// is a plain form.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import http from "node:http";
import { URLSearchParams } from "node:url";
import Provider from "oidc-provider";

const port = Number(process.env.OP_PORT);
const issuer = `http://127.0.0.1:${port}`;
const accounts = JSON.parse(process.env.OP_ACCOUNTS || "{}");
const clients = JSON.parse(process.env.OP_CLIENTS || "[]");

function jwk(type, options, alg) {
  const { privateKey } = generateKeyPairSync(type, options);
  return { ...privateKey.export({ format: "jwk" }), alg, use: "sig", kid: `${alg}-${randomBytes(4).toString("hex")}` };
}

const claimScopes = ["given_name", "usual_name", "email", "uid", "siret", "organization_label", "idp_id", "phone"];
// Claims of a scope other than its own name.
const scopeClaims = { email: ["email", "email_verified"], phone: ["phone", "phone_number"] };
const provider = new Provider(issuer, {
  clients,
  jwks: { keys: [jwk("rsa", { modulusLength: 2048 }, "RS256"), jwk("ec", { namedCurve: "P-256" }, "ES256")] },
  cookies: { keys: [randomBytes(32).toString("hex")] },
  acrValues: ["eidas0", "eidas1", "eidas0-mfa", "eidas1-mfa", "eidas2", "eidas3"],
  claims: Object.fromEntries([["openid", ["sub"]], ...claimScopes.map((name) => [name, scopeClaims[name] || [name]])]),
  scopes: ["openid", ...claimScopes],
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    claimsParameter: { enabled: true },
    userinfo: { enabled: true },
    jwtUserinfo: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      // Sign out at once, as ProConnect does: the confirmation form submits itself.
      logoutSource: async (ctx, form) => {
        ctx.body = `<!doctype html><html><body>${form}<p>Signing out…</p>
          <button form="op.logoutForm" name="logout" value="yes">Sign out</button>
          <script>var f=document.getElementById('op.logoutForm');var i=document.createElement('input');
          i.type='hidden';i.name='logout';i.value='yes';f.appendChild(i);f.submit();</script></body></html>`;
      },
    },
  },
  async findAccount(ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...account.claims }; } };
  },
  // No consent screen: the test clients are trusted, as ProConnect's registered services are.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope([...ctx.oidc.requestParamScopes].join(" "));
    grant.addOIDCClaims([...ctx.oidc.requestParamClaims]);
    await grant.save();
    return grant;
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  ttl: { Session: 3600, Interaction: 600, Grant: 3600, AccessToken: 600, AuthorizationCode: 60, IdToken: 600 },
});

function page(uid, error = "") {
  return `<!doctype html><html lang="fr"><head><title>Identity provider</title></head><body>
    <h1>Identity provider</h1>${error ? `<p role="alert">${error}</p>` : ""}
    <form method="post" action="/interaction/${uid}/login">
      <label>Login <input name="login" autofocus></label>
      <label>Password <input name="password" type="password"></label>
      <button type="submit">Sign in</button>
    </form></body></html>`;
}

function readForm(req) {
  return new Promise((resolve) => {
    let body = "";
    req.on("data", (chunk) => { body += chunk; });
    req.on("end", () => resolve(Object.fromEntries(new URLSearchParams(body))));
  });
}

const callback = provider.callback();
http.createServer(async (req, res) => {
  const match = req.url.match(/^\/interaction\/([^/?]+)(\/login)?/);
  if (!match) return callback(req, res);
  try {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name !== "login") {
      return provider.interactionFinished(req, res, {}, { mergeWithLastSubmission: true });
    }
    if (req.method === "GET") {
      res.setHeader("content-type", "text/html; charset=utf-8");
      return res.end(page(match[1]));
    }
    const form = await readForm(req);
    const account = accounts[form.login];
    if (!account || account.password !== form.password) {
      res.statusCode = 400;
      res.setHeader("content-type", "text/html; charset=utf-8");
      return res.end(page(match[1], "Wrong login or password"));
    }
    const acr = account.acr || "eidas1";
    const essential = details.prompt.details.acr;
    if (essential?.essential && Array.isArray(essential.values) && !essential.values.includes(acr)) {
      // As ProConnect: a level this account cannot reach is refused, not given anyway.
      return provider.interactionFinished(req, res, {
        error: "access_denied", error_description: `acr ${acr} is not among those asked`,
      });
    }
    await provider.interactionFinished(req, res, { login: { accountId: form.login, acr } });
  } catch (error) {
    res.statusCode = 500;
    res.end(String(error));
  }
}).listen(port, "127.0.0.1", () => console.log(`listening on ${issuer}`));
