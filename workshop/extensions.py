"""Extensions, created unbound and bound to the app in `create_app`."""

from flask_babel import gettext
from flask_login import LoginManager
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from workshop.models import Base

# Objects stay readable after commit: a handler commits, then acknowledges and broadcasts
# from what it just wrote, without reloading every row (sessions last one request or event).
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
socketio = SocketIO()
login_manager = LoginManager()
csrf = CSRFProtect()


def init_app(app) -> None:
    from workshop import database, socket_packets
    from workshop.messages import N_

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = database.engine_options(app.config["DATABASE_URL"])
    db.init_app(app)
    with app.app_context():
        database.sqlite_pragmas(db.engine)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = N_("Please sign in as a facilitator to continue.")
    login_manager.localize_callback = gettext  # flashed in the reader's language
    socketio.init_app(
        app,
        async_mode=app.config["ASYNC_MODE"],
        message_queue=app.config["MESSAGE_QUEUE"] or None,
        channel=app.config["MESSAGE_QUEUE_CHANNEL"],
        cors_allowed_origins=app.config["SOCKETIO_CORS_ORIGINS"],
        max_http_buffer_size=64 * 1024,
        manage_session=False,
        # Packets are read with a depth-bounded JSON decoder and refused while decoding when
        # they are not what our clients send (workshop/socket_packets.py).
        serializer=socket_packets.WorkshopPacket,
        json=socket_packets.BoundedJSON,
    )
