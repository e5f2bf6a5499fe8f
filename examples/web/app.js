// Passwordless sign-in with passkeys against cognito-user-pool-rs in browser mode (SESSION_COOKIE=true).
// Plain JavaScript, no build step, no library. Read it top to bottom:
//   1. configuration         4. passwordless sign-up and email-code sign-in
//   2. calling the API        5. passkeys: sign-in, registration, list, delete
//   3. the session            6. wiring the page
//
// What browser mode means for this page:
// - The refresh token never reaches JavaScript: the API keeps it in the HttpOnly cookie
//   `__Host-refresh_token`, which the browser sends by itself with `credentials: "include"`.
// - The page keeps only the access token, in memory (a variable, not localStorage). After a reload it
//   asks for a new one with `/session/refresh` and `{}`: the cookie is all the API needs.
// - Every request carries the CSRF proof the API requires: the browser's `Origin` (it must be in the API's
//   ALLOWED_ORIGINS), `X-Requested-With: XMLHttpRequest` and `Content-Type: application/json`.
"use strict";

// ------------------------------------------------------------------------------------ 1. configuration

// The API's base URL: `?api=...` in this page's address, else the local server of scripts/run-local.sh.
// Serve this page on `localhost` too (not 127.0.0.1): the cookie only travels within one site.
const API = new URLSearchParams(location.search).get("api") || "http://localhost:3000";

// ---------------------------------------------------------------------------------- 2. calling the API

class ApiError extends Error {
  constructor(status, body) {
    super(body && body.message ? body.message : `The API answered ${status}.`);
    this.status = status;
    this.code = body && body.code; // e.g. "code_mismatch", "not_authorized" (see the API's README)
  }
}

// The one way this page talks to the API. `auth: true` adds the access token (routes marked 🔑).
async function api(path, body = {}, { auth = false } = {}) {
  const headers = { "Content-Type": "application/json", "X-Requested-With": "XMLHttpRequest" };
  if (auth) headers.Authorization = `Bearer ${session.accessToken}`;
  const response = await fetch(API + path, {
    method: "POST",
    credentials: "include", // send and accept the __Host-refresh_token cookie
    headers,
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => null);
  log(`POST ${path} → ${response.status}${answer && answer.code ? " " + answer.code : ""}`);
  if (!response.ok) throw new ApiError(response.status, answer);
  return answer;
}

// A 🔑 call. When the access token has expired (401), get a new one from the cookie and try once more.
async function authed(path, body = {}) {
  try {
    return await api(path, body, { auth: true });
  } catch (err) {
    if (err.status !== 401 || !(await refreshSession())) throw err;
    return api(path, body, { auth: true });
  }
}

// ------------------------------------------------------------------------------------- 3. the session

const session = { accessToken: null, username: null };

// Every answer with tokens comes here (sign-up confirmation, code, passkey, refresh). It has
// accessToken and idToken but no refreshToken: that one went into the cookie.
async function signedIn(tokens) {
  session.accessToken = tokens.accessToken;
  // The ID token's claims, only to show who is signed in (the API checks the tokens, not this page).
  const claims = JSON.parse(new TextDecoder().decode(fromBase64url(tokens.idToken.split(".")[1])));
  session.username = claims["cognito:username"];
  pending = null;
  render();
  await loadPasskeys();
}

// New tokens from the cookie alone ({} as the body), or null when there is no session (401: never
// signed in, signed out, or the refresh token expired).
async function refreshSession() {
  try {
    const tokens = await api("/session/refresh", {});
    session.accessToken = tokens.accessToken;
    return tokens;
  } catch (err) {
    if (err.status !== 401) throw err;
    return null;
  }
}

async function signOut() {
  try {
    await api("/logout", {}); // the cookie says who: every token of the user is revoked, the cookie cleared
  } catch (err) {
    if (err.status !== 401) throw err; // 401: that session had already ended
  }
  session.accessToken = session.username = null;
  render();
  say("Signed out.");
}

// ------------------------------------------------ 4. passwordless sign-up and email-code sign-in

// Between two steps (code sent → code typed) the page keeps what the API asked it to send back.
let pending = null; // { kind: "signup" | "email", username, loginSession }

async function signUp() {
  const username = value("signup-username");
  // No password: a passwordless account. The code goes to this email address.
  const answer = await api("/signup", {
    username,
    attributes: [{ Name: "email", Value: value("signup-email") }],
  });
  pending = { kind: "signup", username, loginSession: answer.loginSession };
  const where = answer.codeDeliveryDetails ? answer.codeDeliveryDetails.destination : "your email";
  askForCode(`Confirm your account: enter the code sent to ${where}.`);
}

async function emailCodeSignIn() {
  const username = value("login-username");
  // The answer looks the same for an unknown user (no enumeration): the code just never comes.
  const answer = await api("/login", { username, method: "EMAIL_OTP" });
  pending = { kind: "email", username, loginSession: answer.loginSession };
  askForCode("If this account exists, we emailed it a sign-in code: enter it.");
}

async function submitCode() {
  const { kind, username, loginSession } = pending;
  const code = value("code");
  if (kind === "signup") {
    // With the sign-up's loginSession, confirming also signs the user in (tokens)...
    const answer = await api("/signup/confirm", { username, confirmationCode: code, loginSession });
    if (answer.accessToken) {
      await signedIn(answer);
      say(`Welcome, ${session.username}! Add a passkey to sign in with it next time.`);
    } else {
      // ...unless that session has expired (minutes): the account is confirmed, sign in with a code.
      pending = null;
      render();
      say("Account confirmed. Sign in with an email code.");
    }
    return;
  }
  const answer = await api("/login/otp", { username, loginSession, code });
  if (!answer.accessToken) throw new Error(`This example does not handle the step ${answer.nextStep}.`);
  await signedIn(answer);
  say(`Signed in with an email code as ${session.username}.`);
}

// ------------------------------------------------ 5. passkeys: sign-in, registration, list, delete

// The API passes Cognito's WebAuthn options as JSON, binary fields in base64url. Browsers that have
// PublicKeyCredential.parse*FromJSON and credential.toJSON() convert them; for older ones we do it here.
function fromBase64url(text) {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(text.length / 4) * 4, "=");
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

function toBase64url(buffer) {
  const bytes = new Uint8Array(buffer);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

const withBinaryIds = (list) => (list || []).map((c) => ({ ...c, id: fromBase64url(c.id) }));

function creationOptions(json) {
  if (PublicKeyCredential.parseCreationOptionsFromJSON) return PublicKeyCredential.parseCreationOptionsFromJSON(json);
  return {
    ...json,
    challenge: fromBase64url(json.challenge),
    user: { ...json.user, id: fromBase64url(json.user.id) },
    excludeCredentials: withBinaryIds(json.excludeCredentials),
  };
}

function requestOptions(json) {
  if (PublicKeyCredential.parseRequestOptionsFromJSON) return PublicKeyCredential.parseRequestOptionsFromJSON(json);
  return { ...json, challenge: fromBase64url(json.challenge), allowCredentials: withBinaryIds(json.allowCredentials) };
}

// The credential as the API wants it: the browser's RegistrationResponseJSON / AuthenticationResponseJSON.
function credentialJSON(credential) {
  if (typeof credential.toJSON === "function") return credential.toJSON();
  const r = credential.response;
  const response = { clientDataJSON: toBase64url(r.clientDataJSON) };
  if (r.attestationObject) {
    // navigator.credentials.create
    response.attestationObject = toBase64url(r.attestationObject);
    if (r.getTransports) response.transports = r.getTransports();
  } else {
    // navigator.credentials.get
    response.authenticatorData = toBase64url(r.authenticatorData);
    response.signature = toBase64url(r.signature);
    if (r.userHandle) response.userHandle = toBase64url(r.userHandle);
  }
  return {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment || undefined,
    clientExtensionResults: credential.getClientExtensionResults(),
    response,
  };
}

async function passkeySignIn() {
  const username = value("login-username");
  // 1. Ask for a challenge. For an unknown user (or one without a passkey) the API answers the same
  //    way, and the next step fails: the page cannot tell who has an account, and neither can anyone.
  const step = await api("/login", { username, method: "WEB_AUTHN" });
  // 2. The browser asks the user for their passkey (fingerprint, face, device PIN, security key).
  const credential = await navigator.credentials.get({ publicKey: requestOptions(step.credentialRequestOptions) });
  // 3. The signed answer goes back with the loginSession of step 1: tokens (and the cookie).
  const tokens = await api("/login/passkey", { username, loginSession: step.loginSession, credential: credentialJSON(credential) });
  await signedIn(tokens);
  say(`Signed in with a passkey as ${session.username}.`);
}

async function addPasskey() {
  // Needs a recent sign-in (by default within 5 minutes): else 403 reauthentication_required.
  const { credentialCreationOptions } = await authed("/passkeys/register/start", {});
  const credential = await navigator.credentials.create({ publicKey: creationOptions(credentialCreationOptions) });
  await authed("/passkeys/register/complete", { credential: credentialJSON(credential) });
  await loadPasskeys();
  say("Passkey added: next time, sign in with it.");
}

async function loadPasskeys() {
  const passkeys = [];
  let nextToken = null;
  do {
    // One page at a time (Cognito gives up to 20), until nextToken is null.
    const page = await authed("/passkeys/list", nextToken ? { nextToken } : {});
    passkeys.push(...page.passkeys);
    nextToken = page.nextToken;
  } while (nextToken);
  const rows = passkeys.map((p) => {
    const row = document.createElement("tr");
    const added = p.createdAt ? new Date(p.createdAt * 1000).toLocaleString() : "";
    const kind = [p.authenticatorAttachment, ...(p.transports || [])].filter(Boolean).join(", ");
    for (const text of [p.friendlyName || "Passkey", added, kind]) {
      row.appendChild(document.createElement("td")).textContent = text;
    }
    const remove = document.createElement("button");
    remove.textContent = "Delete";
    remove.dataset.credentialId = p.credentialId;
    remove.addEventListener("click", () => run(() => deletePasskey(p.credentialId)));
    row.appendChild(document.createElement("td")).appendChild(remove);
    return row;
  });
  document.getElementById("passkeys").replaceChildren(...rows);
  document.getElementById("no-passkeys").hidden = passkeys.length > 0;
}

async function deletePasskey(credentialId) {
  await authed("/passkeys/delete", { credentialId });
  await loadPasskeys();
  say("Passkey deleted. (It may still be on your device: remove it there too.)");
}

// ---------------------------------------------------------------------------------- 6. wiring the page

const value = (id) => document.getElementById(id).value.trim();

function say(text, isError = false) {
  const message = document.getElementById("message");
  message.textContent = text;
  message.className = isError ? "error" : "";
}

function log(line) {
  document.getElementById("log").appendChild(document.createElement("li")).textContent = line;
}

function askForCode(title) {
  document.getElementById("code-title").textContent = title;
  document.getElementById("code").value = "";
  render();
  say(title);
  document.getElementById("code").focus();
}

function render() {
  const signedInNow = Boolean(session.accessToken);
  document.getElementById("signed-in").hidden = !signedInNow;
  document.getElementById("signed-out").hidden = signedInNow;
  document.getElementById("code-step").hidden = signedInNow || !pending;
  document.getElementById("who").textContent = session.username || "";
}

// What to tell the user when something fails.
function explain(err) {
  if (err instanceof ApiError) {
    if (err.code === "reauthentication_required") return "To add a passkey, sign out and sign in again first (it needs a recent sign-in).";
    if (err.code === "code_mismatch") return "That code is not right: check it and try again.";
    return err.message; // the API's own messages are written for people
  }
  // The browser does not say why (on purpose): cancelled, timed out, or no passkey of this account here.
  if (err.name === "NotAllowedError") return "No passkey was used: cancelled, timed out, or none for this account on this device. Try again, or sign in with an email code.";
  if (err.name === "InvalidStateError") return "This device already holds a passkey for this account.";
  return `Something went wrong: ${err.message}`;
}

// Runs one user action: the page is busy (buttons disabled) until it ends, and any failure is shown.
async function run(action) {
  const main = document.querySelector("main");
  const buttons = [...document.querySelectorAll("button")];
  main.setAttribute("aria-busy", "true");
  buttons.forEach((b) => (b.disabled = true));
  try {
    await action();
  } catch (err) {
    say(explain(err), true);
  } finally {
    buttons.forEach((b) => (b.disabled = false));
    main.removeAttribute("aria-busy");
  }
}

function onSubmit(formId, action) {
  document.getElementById(formId).addEventListener("submit", (event) => {
    event.preventDefault();
    run(action);
  });
}

onSubmit("signup-form", signUp);
onSubmit("login-form", passkeySignIn);
onSubmit("code-form", submitCode);
document.getElementById("email-login").addEventListener("click", () => {
  if (document.getElementById("login-form").reportValidity()) run(emailCodeSignIn);
});
document.getElementById("add-passkey").addEventListener("click", () => run(addPasskey));
document.getElementById("sign-out").addEventListener("click", () => run(signOut));
document.getElementById("api-url").textContent = API;

// On load: still signed in from an earlier visit? The cookie answers that (a 401 means no).
run(async () => {
  const tokens = await refreshSession();
  if (tokens) {
    await signedIn(tokens);
    say(`Welcome back, ${session.username}.`);
  } else {
    render();
    say(window.PublicKeyCredential
      ? "Sign up, or sign in with a passkey or an email code."
      : "This browser has no passkeys (WebAuthn): sign up, or sign in with an email code.");
  }
});
