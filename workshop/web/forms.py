"""WTForms forms. Every form carries a CSRF token (Flask-WTF)."""

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    email = EmailField(lazy_gettext("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(lazy_gettext("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(lazy_gettext("Keep me signed in on this computer"))
    submit = SubmitField(lazy_gettext("Sign in"))


class EmptyForm(FlaskForm):
    """A plain button that still needs a CSRF token."""

    submit = SubmitField(lazy_gettext("Submit"))
