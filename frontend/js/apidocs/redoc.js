// Starts ReDoc on /redoc with Accord's OpenAPI schema, from a file rather than an inline script.
/* global Redoc */
Redoc.init("/openapi.json", {}, document.getElementById("redoc"));
