// Forms generated from JSON Schemas (run input, signal and update payloads). Each field knows its JSON path
// ($.a.b[0]) so the API's 422 violations ({path, message}) are shown next to the field they concern.

let counter = 0;
const uid = (prefix) => `${prefix}-${++counter}`;

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function typesOf(schema) {
  if (!schema || typeof schema !== "object") return [];
  if (Array.isArray(schema.type)) return schema.type;
  if (schema.type) return [schema.type];
  if (schema.properties) return ["object"];
  if (schema.enum) return ["enum"];
  return [];
}

function optionLabel(option, index) {
  if (option.title) return option.title;
  const types = typesOf(option);
  if (types.length === 1 && types[0] === "null") return "nothing";
  if (types.length === 1 && types[0] === "object") {
    const keys = Object.keys(option.properties || {});
    return keys.length ? `{${keys.join(", ")}}` : "object";
  }
  return types.join(" | ") || `option ${index + 1}`;
}

/** A field for `schema` at JSON path `path`; returns {element, read(): [present, value]}. */
function field(schema, path, name, required) {
  schema = schema || {};
  const options = schema.anyOf || schema.oneOf;
  const types = typesOf(schema);
  const label = name ?? "value";
  const errorId = uid("err");
  const error = h("div", { class: "field-error", id: errorId, "data-error-for": path, role: "alert" });
  const describe = schema.description ? h("div", { class: "field-help", text: schema.description }) : null;

  if (Array.isArray(options) && options.length) {
    const id = uid("choice");
    const select = h("select", { id, "data-path": path, "data-variant": "1", "aria-describedby": errorId });
    options.forEach((option, i) => select.append(h("option", { value: String(i), text: optionLabel(option, i) })));
    const holder = h("div", { class: "variant" });
    const subs = options.map((option) => field(option, path, null, true));
    const show = () => holder.replaceChildren(subs[Number(select.value)].element);
    select.addEventListener("change", show);
    show();
    const box = h("fieldset", { class: "field" },
      h("legend", { text: `${label}${required ? " *" : ""}` }), describe,
      h("label", { for: id, class: "variant-label", text: "form: " }), select, holder, error);
    return { element: box, read: () => subs[Number(select.value)].read() };
  }

  if (types.length === 1 && types[0] === "null") {
    return { element: h("p", { class: "field-help", text: "(no payload)" }), read: () => [true, null] };
  }

  if (types.length === 1 && types[0] === "object" && schema.properties) {
    const needed = new Set(schema.required || []);
    const subs = Object.entries(schema.properties).map(([key, sub]) => [key, field(sub, `${path}.${key}`, key, needed.has(key))]);
    const box = h("fieldset", { class: "field", "data-path": path },
      h("legend", { text: `${label}${required ? " *" : ""}` }), describe, ...subs.map(([, s]) => s.element), error);
    return {
      element: box,
      read: () => {
        const value = {};
        for (const [key, sub] of subs) {
          const [present, item] = sub.read();
          if (present) value[key] = item;
        }
        return [required || Object.keys(value).length > 0, value];
      },
    };
  }

  const id = uid("field");
  const title = h("label", { for: id, text: `${label}${required ? " *" : ""}` });
  let input;
  let read;
  if (schema.enum) {
    input = h("select", { id });
    if (!required) input.append(h("option", { value: "", text: "" }));
    schema.enum.forEach((value, i) => input.append(h("option", { value: String(i), text: JSON.stringify(value) })));
    read = () => (input.value === "" ? [false, undefined] : [true, schema.enum[Number(input.value)]]);
  } else if (types.length === 1 && types[0] === "boolean") {
    input = h("input", { id, type: "checkbox" });
    read = () => [true, input.checked];
  } else if (types.length === 1 && (types[0] === "number" || types[0] === "integer")) {
    input = h("input", { id, type: "text", inputmode: "decimal", autocomplete: "off" });
    // Not type=number: the browser would hide what was typed when it is not a number; the schema judges.
    read = () => {
      const text = input.value.trim();
      if (text === "") return [required, required ? null : undefined];
      const number = Number(text);
      return [true, Number.isNaN(number) ? text : number];
    };
  } else if (types.length === 1 && types[0] === "string") {
    input = h("input", { id, type: "text", autocomplete: "off" });
    read = () => (input.value === "" && !required ? [false, undefined] : [true, input.value]);
  } else if (types.length > 1 && types.every((t) => ["string", "number", "integer", "null"].includes(t))) {
    input = h("input", { id, type: "text", autocomplete: "off" });
    read = () => {
      const text = input.value.trim();
      if (text === "") return [required, null];
      if ((types.includes("number") || types.includes("integer")) && text !== "" && !Number.isNaN(Number(text))) {
        return [true, Number(text)];
      }
      return [true, input.value];
    };
  } else {
    // Arrays, free-form objects, anything else: JSON text.
    input = h("textarea", { id, rows: 3, spellcheck: "false", placeholder: "JSON" });
    if (schema.default !== undefined) input.value = JSON.stringify(schema.default);
    read = () => {
      const text = input.value.trim();
      if (text === "") return [required, null];
      try { return [true, JSON.parse(text)]; } catch { return [true, text]; }
    };
  }
  input.setAttribute("data-path", path);
  input.setAttribute("aria-describedby", errorId);
  if (input.tagName !== "SELECT" && schema.default !== undefined && input.type !== "checkbox" && input.tagName !== "TEXTAREA") {
    input.value = String(schema.default);
  }
  const box = h("div", { class: "field" }, title, describe, input, error);
  return { element: box, read };
}

/**
 * A form for `schema`: `{element, value(), showErrors(violations), clear()}`. Without a schema the payload
 * is JSON text.
 */
export function schemaForm(schema) {
  const root = field(schema || {}, "$", "payload", true);
  const general = h("div", { class: "form-errors", role: "alert" });
  const element = h("div", { class: "schema-form" }, root.element, general);
  const clear = () => {
    element.querySelectorAll(".field-error").forEach((e) => { e.textContent = ""; });
    element.querySelectorAll("[aria-invalid]").forEach((e) => e.removeAttribute("aria-invalid"));
    general.textContent = "";
  };
  const showErrors = (violations, fallback) => {
    clear();
    for (const v of violations) {
      let path = v.path || "$";
      // "'id' is a required property" at $.request concerns the field $.request.id.
      const missing = v.validator === "required" && /^'([^']+)'/.exec(v.message || "");
      if (missing && element.querySelector(`[data-error-for="${CSS.escape(`${path}.${missing[1]}`)}"]`)) {
        path = `${path}.${missing[1]}`;
      }
      let target = null;
      for (let p = path; p; p = p.replace(/(\.[^.[\]]+|\[\d+\])$/, "")) {
        target = element.querySelector(`[data-error-for="${CSS.escape(p)}"]`);
        if (target || p === "$") break;
      }
      const line = h("div", { text: v.message });
      (target || general).append(line);
      const input = element.querySelector(`[data-path="${CSS.escape(path)}"]`);
      if (input) input.setAttribute("aria-invalid", "true");
    }
    if (!violations.length && fallback) general.replaceChildren(h("div", { text: fallback }));
  };
  return {
    element,
    value: () => {
      const [present, value] = root.read();
      return present ? value : undefined;
    },
    showErrors,
    clear,
  };
}
