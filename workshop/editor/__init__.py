"""The agenda editor's logic: an agenda as form data and back (`data`), and the editor's
list buttons and pasted outlines (`actions`). Its page and forms are in `web`."""
