"""The Flask edge: everything that speaks HTTP or Socket.IO. Views (`views/`, one blueprint
each) and socket handlers (`sockets`) identify and authorize (`identity`, `access`), call the
domain through the shared write path (`actions`), commit, and broadcast (`broadcast`, with
the payloads of `payloads`). The rest of the package never imports from here."""
