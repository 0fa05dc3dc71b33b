/* API documentation page (/api/v1/docs, core/api_docs.py): starts the vendored Swagger UI
   (static/vendor/swagger-ui-<version>/, ADR 0016) with the settings of the JSON data block
   #swagger-settings (the OpenAPI address among them). No inline script: the page keeps the
   site's Content-Security-Policy. */
(function () {
  "use strict";

  var source = document.getElementById("swagger-settings");
  if (!source || typeof window.SwaggerUIBundle === "undefined") {
    return;
  }
  var config = JSON.parse(source.textContent);
  var csrfToken = document.body.getAttribute("data-csrf-token");

  config.dom_id = "#swagger-ui";
  config.presets = [window.SwaggerUIBundle.presets.apis];
  if (csrfToken) {
    config.requestInterceptor = function (request) {
      request.headers["X-CSRFToken"] = csrfToken;
      return request;
    };
  }
  window.SwaggerUIBundle(config);
})();
