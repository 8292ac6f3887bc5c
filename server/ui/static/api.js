// Calls to the JSON API: same origin, JSON bodies, the bearer token from sessionStorage. A 401 asks for the
// token (a dialog) and retries once it is given.

const TOKEN_KEY = "tdsl-token";
export const BASE = location.pathname.replace(/\/ui\/?$/, "");

/** An API answer other than 2xx: `status` and the error record of the body (`{type, message, details}`). */
export class ApiError extends Error {
  constructor(status, record) {
    super(record?.message || `HTTP ${status}`);
    this.status = status;
    this.record = record || {};
  }
  /** The JSON-Schema violations of a 422 answer: [{path, message, validator}]. */
  get violations() {
    const details = this.record.details;
    return (details && Array.isArray(details.errors)) ? details.errors : [];
  }
}

let asking = null;

function askToken(message) {
  if (asking) return asking;
  const dialog = document.getElementById("token-dialog");
  const input = dialog.querySelector("input");
  dialog.querySelector(".token-message").textContent = message;
  input.value = "";
  asking = new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      asking = null;
      const token = dialog.returnValue === "ok" ? input.value.trim() : "";
      if (token) sessionStorage.setItem(TOKEN_KEY, token);
      resolve(Boolean(token));
    }, { once: true });
  });
  dialog.showModal();
  input.focus();
  return asking;
}

/** `fetch` a JSON API route; resolves to the parsed body, rejects with ApiError. */
export async function api(path, { method = "GET", body = undefined } = {}) {
  for (;;) {
    const headers = { Accept: "application/json" };
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) headers.Authorization = `Bearer ${token}`;
    const init = { method, headers, credentials: "same-origin" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    } else if (method !== "GET") {
      headers["Content-Type"] = "application/json";
      init.body = "{}";
    }
    const response = await fetch(BASE + path, init);
    const type = response.headers.get("content-type") || "";
    const data = type.includes("json") ? await response.json() : await response.text();
    if (response.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      const why = token ? "The token was not accepted." : "This service needs a bearer token.";
      if (await askToken(why)) continue;
    }
    if (!response.ok) throw new ApiError(response.status, data && data.error);
    return data;
  }
}

/** A path segment (workflow ids may hold "/"; the routes take them as is). */
export const seg = (value) => encodeURIComponent(value);
export const idPath = (value) => value.split("/").map(encodeURIComponent).join("/");
