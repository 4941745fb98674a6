"""WTForms forms. Every form carries a CSRF token (Flask-WTF)."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Keep me signed in on this computer")
    submit = SubmitField("Sign in")


class EmptyForm(FlaskForm):
    """A plain button that still needs a CSRF token."""

    submit = SubmitField("Submit")
