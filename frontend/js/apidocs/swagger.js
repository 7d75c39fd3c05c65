// Starts Swagger UI on /docs with Accord's OpenAPI schema. A file of its own, not an inline
// script, so that the page keeps a content security policy without 'unsafe-inline' scripts.
/* global SwaggerUIBundle */
SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null, // the public validator is elsewhere; nothing here reaches out
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});
