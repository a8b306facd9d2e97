"""One module per top-level section of the PBX data file; `apps.pbxdata.document.SECTIONS` lists them."""
