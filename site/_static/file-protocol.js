// Opened from disk (file://), a browser refuses the fetch() that Sphinx's search uses to show a
// snippet of each hit; the hits themselves still come from searchindex.js. Skip the snippets
// there, so that search works from disk without errors. Served over http(s), nothing changes.
if (window.location.protocol === "file:" && typeof DOCUMENTATION_OPTIONS !== "undefined") {
  DOCUMENTATION_OPTIONS.SHOW_SEARCH_SUMMARY = false;
}
