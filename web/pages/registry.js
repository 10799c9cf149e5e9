// Pages in web/pages/*.js push themselves onto WG_PAGES; app.js reads the
// list when it starts (see extraPages there). Load this file first, then
// each page's file, then app.js.
window.WG_PAGES = window.WG_PAGES || [];
