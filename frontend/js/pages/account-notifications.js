// The Account page's email notifications: for each kind at once, in a daily digest or not at
// all, and the hour and time zone of the digest.

import { api } from "../api.js";
import { byId, el, fill, notify, onSubmit } from "../ui.js";

const DELIVERIES = [["now", "At once"], ["digest", "Daily digest"], ["off", "Off"]];

function hourLabel(hour) {
  return `${String(hour).padStart(2, "0")}:00`;
}

/** The time zones to offer: this device's first, then every one the browser knows. */
function zoneOptions(saved) {
  const own = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const known = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  const all = [...new Set([...known, "UTC", saved, own])].filter(Boolean).sort();
  return [
    own ? el("option", { value: own, text: `${own} (this device)` }) : null,
    el("optgroup", { label: "All time zones" }, all.map((zone) => el("option", { value: zone, text: zone }))),
  ];
}

function kindRow(kind) {
  const id = `delivery-${kind.kind}`;
  const choice = el("select", { id, name: `kind:${kind.kind}` },
    DELIVERIES.map(([value, text]) => el("option", { value, text })));
  return el("div", { class: "delivery-row" }, el("label", { for: id, text: kind.label }), choice);
}

function mailNote(mail) {
  if (mail) return null;
  return el("p", { class: "alert alert-info",
    text: "This server does not send email yet, so notifications appear only in the app. "
      + "Your choices here are kept for when it does." });
}

function settingsForm(settings) {
  const hour = el("select", { id: "digest-hour", name: "digest_hour", "aria-describedby": "digest-hint" },
    Array.from({ length: 24 }, (_, value) => el("option", { value, text: hourLabel(value) })));
  const zone = el("select", { id: "digest-zone", name: "time_zone" }, zoneOptions(settings.time_zone));
  const form = el("form", { id: "notification-form", class: "form", method: "post" },
    el("p", { class: "form-error", role: "alert", hidden: true }),
    mailNote(settings.mail),
    el("fieldset", { class: "delivery-kinds" },
      el("legend", { text: "Email me" }),
      settings.kinds.map(kindRow)),
    el("div", { class: "field-row" },
      el("div", { class: "field" }, el("label", { for: "digest-hour", text: "Daily digest at" }), hour),
      el("div", { class: "field field-grow" }, el("label", { for: "digest-zone", text: "Time zone" }), zone)),
    el("p", { id: "digest-hint", class: "hint delivery-hint",
      text: "The kinds set to Daily digest come together in one email a day, at this hour." }),
    el("div", { class: "actions" }, el("button", { type: "submit", class: "button", text: "Update email settings" })));
  showSaved(form, settings);
  return form;
}

/** Put what the server holds into the form, so that it shows what was saved. */
function showSaved(form, settings) {
  for (const kind of settings.kinds) {
    const choice = form.elements[`kind:${kind.kind}`];
    if (choice) choice.value = kind.delivery;
  }
  form.elements.digest_hour.value = String(settings.digest_hour);
  form.elements.time_zone.value = settings.time_zone;
}

function show(container, settings) {
  const form = settingsForm(settings);
  fill(container, form);
  onSubmit(form, async (data) => {
    const kinds = {};
    for (const [name, value] of data.entries()) {
      if (name.startsWith("kind:")) kinds[name.slice("kind:".length)] = value;
    }
    const saved = await api("/account/notifications", {
      method: "PUT",
      body: { kinds, digest_hour: Number(data.get("digest_hour")), time_zone: data.get("time_zone") },
    });
    showSaved(form, saved);
    notify("Your email settings are saved.");
  });
}

/** Draw the email settings into the Account page, or say why they could not be read. */
export async function setUpNotificationSettings() {
  const container = byId("notification-settings");
  try {
    show(container, await api("/account/notifications"));
  } catch (error) {
    fill(container, el("p", { class: "alert", role: "alert", text: error.detail ?? error.message }));
  }
}
