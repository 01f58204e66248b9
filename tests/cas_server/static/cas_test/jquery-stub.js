/* Stands in for jQuery, which django-cas-server's templates load from a CDN (no internet in tests):
   their inline scripts only wire optional cookies and dismissable boxes. */
window.jQuery = window.$ = function () { return { click: function () { return this; } }; };
