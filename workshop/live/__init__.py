"""The live session: starting one from an agenda (`workshops`), its timer (`timing`), the
people in it (`participants`) and their answers (`responses`); `simulate` plays phones
against a running server for rehearsals and the load benchmark."""
