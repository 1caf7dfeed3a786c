// Kept out of the HTML so the Content-Security-Policy can forbid inline scripts.
/* global SwaggerUIBundle -- loaded by the page from swagger-ui-dist */
window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#swagger-ui', deepLinking: true });
