"""Results and exports: a session's results as one value (`model`, built by `build`), the
tables every download shares (`tables`), the downloads (`exports`, `pdf_report`) and
read-only share links (`sharing`)."""
