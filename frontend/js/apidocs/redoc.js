// Starts ReDoc on /redoc with Accord's OpenAPI schema, from a file rather than an inline script.
/* global Redoc */

// ReDoc's sidebar shows its maker's logo from their CDN, which the page's policy refuses (and a
// self-hosted server should not fetch from elsewhere): an empty picture takes its place.
const CDN_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg";
const NO_PICTURE = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/%3E";
const src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
Object.defineProperty(HTMLImageElement.prototype, "src", {
  ...src,
  set(value) {
    src.set.call(this, value === CDN_LOGO ? NO_PICTURE : value);
  },
});

Redoc.init("/openapi.json", {}, document.getElementById("redoc"));
